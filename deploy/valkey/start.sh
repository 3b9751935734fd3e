#!/bin/sh
# Valkey for Chorus (docker-compose.yml): ACL users only, nobody in without the password.
#   default  off, no password, no keys, no commands: a connection that does not authenticate
#            can run nothing (not even PING)
#   chorus   the password in VALKEY_PASSWORD, given to Valkey as its SHA-256 (the password itself
#            is in no file, argument or process environment); every key and channel; every
#            command but the @dangerous ones (FLUSHALL, FLUSHDB, KEYS, CONFIG, DEBUG, SHUTDOWN,
#            ACL, MODULE, MIGRATE, REPLICAOF, MONITOR, ...) except INFO, which arq reads when a
#            worker starts.
# Chorus connects as redis://chorus:<password>@redis:6379/0 (CHORUS_REDIS_URL). The arguments
# given to this script go to valkey-server; the image's entrypoint then drops root.
set -eu
password="${VALKEY_PASSWORD:?set VALKEY_PASSWORD}"
unset VALKEY_PASSWORD
digest=$(printf '%s' "$password" | sha256sum | cut -d ' ' -f 1)
unset password
exec docker-entrypoint.sh valkey-server "$@" \
  --user default off resetpass resetkeys resetchannels -@all \
  --user chorus on "#$digest" '~*' '&*' +@all -@dangerous +info
