"""Domain-neutral building blocks every domain may use; nothing here imports Litestar."""
