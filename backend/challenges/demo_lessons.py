"""The three lessons the demo organization ships (backend/demo.py): real training for the people
who share, written for Chorus. Each is a lesson body for `ChallengeCreate` without its dates."""

from __future__ import annotations

from typing import Any

OWN_WORDS: dict[str, Any] = {
    "title": "Write a post in your own words",
    "description": "Four short cards and a quiz: how to turn a suggested text into a post that "
    "sounds like you, and why that reaches more people.",
    "points": 30,
    "passMark": 80,
    "sections": [
        {
            "heading": "Why your words beat ours",
            "body": "People follow you, not the company. A post that reads like a press release "
            "gets scrolled past; the same news told by someone they know gets read.\n\n"
            "Twenty colleagues posting the identical sentence also looks like a campaign, "
            "and feeds tend to show fewer near-identical posts. Your version is what makes "
            "the news travel.",
        },
        {
            "heading": "Start from the suggestion, then make it yours",
            "body": "The suggested text has the facts right: the names, the date, the link. "
            "Keep those.\n\n"
            "Then rewrite the opening line so it says what you did, saw or think. Three "
            "openings that work:\n"
            "• “What I liked most about …”\n"
            "• “I worked on … and the hardest part was …”\n"
            "• “A customer told us … and it changed how we …”",
        },
        {
            "heading": "One detail only you know",
            "body": "A concrete detail beats an adjective. “Search is now twice as fast on "
            "old phones” says more than “an amazing release”.\n\n"
            "Keep it short: two to four short paragraphs. On LinkedIn the first two lines "
            "decide whether anyone taps “see more”, so put your detail there, not at the end.",
        },
        {
            "heading": "Check before you post",
            "body": "Read it aloud once. Then check:\n"
            "• the link is your personal Chorus link, so your reach is counted;\n"
            "• nothing confidential: no unreleased numbers, no customer that is not public;\n"
            "• colleagues you tag are happy to be tagged;\n"
            "• the disclosure tag (#employee or your company's) is still there.",
        },
    ],
    "quiz": [
        {
            "question": "Why does a post in your own words usually reach more people than the "
            "suggested text pasted as it is?",
            "options": [
                "Networks pay people who rewrite posts",
                "People respond to someone they know, and identical posts look like a campaign",
                "Longer posts always rank higher",
            ],
            "answer": 1,
        },
        {
            "question": "What should you keep from the suggested text?",
            "options": [
                "The facts: names, dates and the link",
                "Every word, in the same order",
                "Nothing at all",
            ],
            "answer": 0,
        },
        {
            "question": "Which opening line is most your own?",
            "options": [
                "We are pleased to announce our new release.",
                "I spent three weeks on search for this release: here is what changed for users.",
                "Big news! Check it out!",
            ],
            "answer": 1,
        },
        {
            "question": "On LinkedIn, what decides whether people read your whole post?",
            "options": [
                "The hashtags at the end",
                "The first two lines, before “see more”",
                "How many people you tag",
            ],
            "answer": 1,
        },
        {
            "question": "Which of these should you leave out of a post?",
            "options": [
                "A detail of your own work",
                "The name of a customer that is not public yet",
                "The disclosure tag",
            ],
            "answer": 1,
        },
    ],
}

PHOTOS: dict[str, Any] = {
    "title": "Photos that work on a phone",
    "description": "Most people will see your photo a few centimetres wide, with a thumb "
    "scrolling past. Five habits that make it stop them.",
    "points": 30,
    "passMark": 80,
    "sections": [
        {
            "heading": "Shoot for the small screen",
            "body": "One clear subject beats a wide scene: on a phone, a crowd becomes dots. "
            "Hold the phone upright or crop square: portrait (4:5) and square (1:1) photos "
            "fill more of a phone's feed than wide landscape ones.",
        },
        {
            "heading": "Light first",
            "body": "Face the window, not your back to it: light from the front makes faces "
            "clear, light from behind makes silhouettes. Daylight beats the ceiling lights; "
            "in a dim room, move closer to a lamp rather than using the flash.\n\n"
            "Wipe the lens with your shirt first. A smudge is the most common reason for a "
            "soft, hazy photo.",
        },
        {
            "heading": "Step closer instead of zooming",
            "body": "Digital zoom only enlarges pixels. Walk closer and fill the frame with "
            "what matters. Hold the phone at eye level, turn on the camera's grid and put the "
            "subject on one of its lines. Check the background: a bin, a cable or a "
            "half-open door pulls the eye away.",
        },
        {
            "heading": "People, screens and permission",
            "body": "Ask colleagues before you photograph them and before you post the photo. "
            "At a customer's site, ask your host.\n\n"
            "Then look at everything in the frame: screens, whiteboards, badges, documents "
            "on desks. If it is not public, crop it out or take the photo again.",
        },
        {
            "heading": "A light edit, and alt text",
            "body": "Straighten, crop, maybe a touch of brightness: that is enough. Heavy "
            "filters make a real moment look like an advert.\n\n"
            "Where the network lets you (LinkedIn and X do), add alt text: one sentence that "
            "describes the photo for people who use screen readers.",
        },
    ],
    "quiz": [
        {
            "question": "Which format fills most of a phone's feed?",
            "options": ["Wide landscape (16:9)", "Portrait or square (4:5 or 1:1)", "A panorama"],
            "answer": 1,
        },
        {
            "question": "Your subject is far away. What gives the sharper photo?",
            "options": ["Digital zoom", "Walking closer", "Turning on the flash"],
            "answer": 1,
        },
        {
            "question": "Indoors, where should the light come from for a photo of a colleague?",
            "options": [
                "A window in front of them",
                "A window behind them",
                "The phone's flash",
            ],
            "answer": 0,
        },
        {
            "question": "Before you post a photo taken at the office, you check that",
            "options": [
                "nothing confidential shows and the people in it agreed",
                "it has a filter",
                "it is as wide as possible",
            ],
            "answer": 0,
        },
        {
            "question": "What is alt text for?",
            "options": [
                "Adding more hashtags",
                "Describing the photo to people who use screen readers",
                "Making the photo load faster",
            ],
            "answer": 1,
        },
    ],
}

DISCLOSURE: dict[str, Any] = {
    "title": "What to disclose and why",
    "description": "When you post about where you work, say that you work there. What the rule "
    "is, how to follow it in one word, and why it protects you.",
    "points": 30,
    "passMark": 75,
    "sections": [
        {
            "heading": "The rule in one sentence",
            "body": "When you post about your employer's products, services or news, say "
            "that you work there.\n\n"
            "Consumer-protection rules in many countries, such as the US Federal Trade "
            "Commission's Endorsement Guides, the UK's advertising rules and the EU's rules "
            "on unfair commercial practices, treat an employee's praise of their employer as "
            "an endorsement with a connection readers would not expect. That connection has "
            "to be disclosed clearly, in the post.",
        },
        {
            "heading": "How to disclose",
            "body": "Put it in the post itself, where people read it, in plain words:\n"
            "• “I work at Northwind, and …”\n"
            "• #employee, or your company's own tag such as #NorthwindEmployee\n"
            "• “(I work here)” after the praise\n\n"
            "A tag hidden among ten hashtags at the end, in your profile or in a later "
            "comment is not clear. On X, where space is short, put #employee near the start. "
            "Chorus adds your organization's disclosure tag to every suggested text: when "
            "you rewrite the post in your own words, keep it.",
        },
        {
            "heading": "Points and prizes count too",
            "body": "Earning points, badges or rewards for sharing is one more reason readers "
            "should know who you are. Your disclosure covers it; there is no need to list the "
            "points, but never remove the tag to make a post look independent.",
        },
        {
            "heading": "Why it protects you",
            "body": "Readers trust a recommendation more when they know where it comes from, "
            "and nobody can later say you misled them. It keeps you, and the company, clear "
            "of rules against misleading advertising.\n\n"
            "Two more habits keep you on the right side: share only what you actually "
            "believe, and never pose as a customer or write reviews of your employer's "
            "products.",
        },
    ],
    "quiz": [
        {
            "question": "You post that your company's new app is great. What must the post show?",
            "options": ["That you work at the company", "Your job title", "Nothing, if it is true"],
            "answer": 0,
        },
        {
            "question": "Where does the disclosure belong?",
            "options": [
                "In your profile only",
                "In the post itself, where readers see it",
                "In a comment the next day",
            ],
            "answer": 1,
        },
        {
            "question": "Which of these is a clear disclosure?",
            "options": [
                "#employee near the start of the post",
                "#emp among ten hashtags at the end",
                "A link to the careers page",
            ],
            "answer": 0,
        },
        {
            "question": "Do the points you earn in Chorus for sharing change anything?",
            "options": [
                "No, points are not money",
                "They are one more reason to disclose, and your disclosure covers them",
                "Only if you win a prize",
            ],
            "answer": 1,
        },
    ],
}

LESSONS = [OWN_WORDS, PHOTOS, DISCLOSURE]
