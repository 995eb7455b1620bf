"""Removal of boilerplate lines: site furniture that readers leave inside the article text.

Each rule is a category of boilerplate (paywall prompts, share buttons, captions, ...) written as
patterns over one whole line, with a cap on the line's length: a long line is a sentence, and a
sentence that merely mentions subscribers, photos or comments is never removed. Lines repeated
verbatim are removed after their first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    category: str
    pattern: re.Pattern[str]
    max_words: int  # lines with more words are never removed by this rule


def _rule(category: str, max_words: int, *patterns: str) -> Rule:
    return Rule(category, re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE), max_words)


_SOCIAL = (
    r"x|twitter|facebook|instagram|telegram|google news|linkedin|youtube|tiktok|threads|whatsapp|bluesky"
    r"|mastodon|snapchat|pinterest|our (?:social media|channels?|app|page)"
)
_CAPTION_WORD = (
    r"photo|photograph|picture|pic|image|foto|photo credit|image credit|image source|credit|credits"
)

RULES: tuple[Rule, ...] = (
    _rule(
        "subscription",
        40,
        r"^subscribe\b",
        r"^(?:already a|become a|not a) (?:subscriber|member)\b",
        r"^(?:start|begin|try) (?:your |a )?(?:free )?(?:trial|subscription)\b",
        r"^(?:get|enjoy|for) (?:unlimited|full|digital|premium) access\b",
        r"\bsign up for (?:unlimited|full|digital|premium) access\b",
        r"^unlock (?:this|the|all|unlimited|full|more)\b",
        r"^to (?:continue|keep) reading\b",
        r"^continue reading (?:with|for|by)\b",
        r"^(?:this|the) (?:article|story|content|page) is (?:only |exclusively )?"
        r"(?:for|available (?:only )?to|reserved for|accessible to) (?:our )?(?:paying )?"
        r"(?:subscribers|members)\b",
        r"^you(?:'ve| have) (?:reached|used) (?:your|all|the)\b.*\b(?:articles?|limit)\b",
        r"^(?:please )?(?:log ?in|sign in|register)(?: now)? to (?:continue|read|access|keep)\b",
        r"\b(?:support|supporting) (?:our|independent|quality|local) journalism\b",
        r"\bdigital subscription\b",
        r"\bsubscribe (?:now|today|for|to (?:continue|read|keep|get|our|the))\b",
        r"^(?:abonnez-vous|abonnieren sie|suscríbete|suscribite|iscriviti|abbonati|assine|"
        r"подписывайтесь|подпишитесь|підписуйтесь)\b",
        r"^thanks? (?:you )?for reading\b",
    ),
    _rule(
        "audio-reading-time",
        8,
        r"^listen to (?:this|the) (?:article|story|report)\b",
        r"^(?:\d+|one|two|three|four|five) ?-?(?:min|mins|minutes?)(?: read| reading time| listen)?$",
        r"^(?:reading time|estimated reading time|lesezeit|temps de lecture)\b\s*:?\s*\d+",
        r"^(?:audio|listen)(?: version| to audio)?$",
        r"^(?:artikel|beitrag) (?:anhören|vorlesen lassen)$|^écouter (?:cet|l')\s*article$|"
        r"^ascolta l'articolo$|^escuchar (?:este |el )?artículo$",
    ),
    _rule(
        "comments",
        30,
        r"^(?:\d+ )?(?:comments?|kommentare?|commentaires?|commenti|comentarios|комментарии)"
        r"(?:\s*\(\d+\)|\s*:\s*\d+)?(?:\s*[|–—:-].{0,60})?$",
        r"\b(?:logged in|log in|signed in|sign in|registered|register)\b.{0,20}"
        r"\bto (?:post|leave|add|write) a comment\b",
        r"^(?:leave|post|add|write|view|show|read|see|hide|load|open) (?:a |the |all |your )?"
        r"(?:\d+ )?comments?"
        r"(?:\W*$|\s+(?:on|here|below|to|using|about)\b(?:\W+\w+){0,8}\W*$)",
        r"^be the first to comment\b",
        r"^join the (?:conversation|discussion|debate)\b",
        r"^comments? (?:(?:on|to|under|for) this (?:story|article|post|page) )?(?:are|is|have been|will be) "
        r"(?:now )?(?:closed|(?:pre-?)?moderated|disabled|open|subject|reviewed)\b",
        r"^(?:this|the) (?:discussion|comment section|comment thread) (?:is|has been) (?:now )?closed\b",
        r"\b(?:comment|commenting|moderation) polic(?:y|ies)\b",
        r"\bcommunity (?:guidelines|standards|rules)\b",
        r"^your (?:comments?|contact details|e-?mail address) (?:may|will|is|are)\b",
        r"^(?:please )?(?:log ?in|sign in|register) to (?:comment|post|reply)\b",
        r"^please get involved\b",
        # widget lines: "20 Comments +", "{ 2 comments… read them below or add one }", "0 responses"
        r"^[{(\[]?\s*\d+\s+(?:comments?|responses?|replies|kommentare?|commentaires?|commenti|comentarios)\b"
        r".{0,40}$",
        r"^(?:reply|antworten|répondre|rispondi|responder|report|melden|signaler)(?:\s*[|·]\s*\w+)*$",
        r"^(?:\d+\s+)?(?:likes?|upvotes?|points?)\s*(?:[|·]\s*reply)?$",
    ),
    _rule(
        "share-follow",
        20,
        r"^(?:(?:share|tweet|email|e-mail|print|pin|save|copy link|copy|bookmark|whatsapp|facebook|twitter|"
        r"linkedin|reddit|telegram|flipboard|messenger)\s*[|/·•]?\s*)+$",
        r"^share (?:this|the) (?:article|story|page|post|video)\b",
        r"^(?:share|teilen|artikel teilen|partager|condividi|compartir)\b[^:]{0,20}:\s*"
        r"(?:(?:facebook|x|twitter|e-?mail|whatsapp|linkedin|telegram|reddit|print|drucken|imprimer|"
        r"copy link|link kopieren)\s*[|/,·•]?\s*)+$",
        r"^share (?:on|via|with) \w+",
        r"^(?:print|email|e-mail|save) (?:this|the) (?:article|story|page)\b",
        rf"^(?:click here to )?(?:follow|like|join|find) (?:us|me|[\w.'-]+(?: [\w.'-]+){{0,3}}) "
        rf"on (?:{_SOCIAL})\b",
        rf"^(?:stay|keep) (?:updated|connected|informed|up to date)\b.*\b(?:{_SOCIAL}|follow)\b",
        r"^(?:partager|partagez|compartir|compartilhe|teilen|condividi|поделиться)(?: (?:cet|cette|ce|este|"
        r"esta|diesen|questo|l')\s*\w+)?$",
    ),
    _rule(
        # credits standing alone; longer lines are credits run into a sentence, which is kept
        "caption-credit",
        14,
        # "Photo: NAME" alone or a caption; not a credit run into a sentence ("Photo: NAME I was ...")
        rf"^(?:{_CAPTION_WORD})s?\s*[:：|]\s*(?:\S+(?:\s+\S+){{0,7}}|.*[^.?!\s\"”])$",
        rf"^\(?(?:{_CAPTION_WORD})s? (?:by|courtesy(?: of)?|credit|taken by)\b[^()]{{1,80}}\)?\.?$",
        r"^(?:\(c\)|©|copyright\s*(?:©|\(c\)))\s*(?-i:[A-Z0-9])",
        r"^copyright\s+\d{4}\b",
        r"\b(?:all rights reserved|riproduzione riservata|tous droits réservés|alle rechte vorbehalten|"
        r"todos los derechos reservados)\b",
        r"^\(?(?:file|representational|representative|archive|stock|illustrative|illustration|symbolic|"
        r"handout) (?:photo|image|picture|pic|photograph)s?\b\)?(?:\s*[:|(-].*)?$",
        r"^\[(?:photo|image|picture|video|graphic)s?\]",
        r"^(?:getty images|shutterstock|alamy|istock|epa-efe|ap photo|afp photo)\b.*$",
        r"^(?-i:REUTERS|Reuters|AFP|AP)/[A-Z][\w.]*(?: [A-Z][\w.]*){0,3}(?:/[\w. ]+)?$",
        r"^(?:写真|画像|図|фото|foto)\s*[:：]",
    ),
    _rule(
        # a caption: a short description ending with its credit
        "caption",
        40,
        # "The minister arrives in Kyiv. © Jane Doe – Le Monde", "… (© AFP)"
        r"[\s(]©\s*(?:\d{4}\s+)?[\w.'’-]+(?:\s+[\w.'’-]+){0,5}(?:\s*[-–—/|,]\s*[\w.'’ -]{2,40})?\)?\.?$",
        rf"(?:[.!?]\s+|\s[|•]\s*|\()\s*(?:{_CAPTION_WORD})s?\s*(?:credit)?\s*[:：]\s*[^.:|()]{{1,70}}\)?\.?$",
        rf"\|\s*(?:{_CAPTION_WORD})s?\s*(?:credit)?\s*[:：]?\s*[^.:|]{{1,70}}$",
        r"\((?:photo|picture|image|pic)s? (?:by|courtesy(?: of)?)\b[^()]{1,80}\)\.?$",
    ),
    _rule(
        "advertisement",
        6,
        r"^(?:advertisement|advertising|ad|ads|sponsored(?: content)?|promoted(?: content)?|paid content|"
        r"anzeige|werbung|publicité|publicidad|pubblicità|publicidade|реклама|広告)$",
        r"^(?:story|article|text) continues (?:below|after)(?: (?:the |this )?(?:advertisement|ad))?$",
        r"^continue reading (?:below|the main story|after (?:the )?(?:ad|advertisement))$",
        r"^scroll (?:down )?to (?:continue|read)(?: (?:reading|with content))?$",
        r"^skip (?:this )?(?:ad|advertisement)$",
    ),
    _rule(
        "teaser",
        20,
        r"^(?:read more|read also|also read|see also|more on this(?: story)?|more on|related|"
        r"related (?:articles?|stories|news|content|coverage|topics)|"
        r"recommended(?: for you| stories| reading| articles)?|"
        r"you (?:may|might) also (?:like|be interested in|enjoy)|more from [\w ]{1,30}|"
        r"most (?:read|popular|viewed|shared|watched)|trending(?: now| stories)?|top stories|"
        r"latest (?:news|stories)|"
        r"don't miss|must read|also watch|watch|watch now|more news|further reading|in other news|"
        r"lire aussi|à lire aussi|a lire aussi|voir aussi|lesen sie auch|lesen sie mehr|auch interessant|"
        r"mehr zum thema|leggi anche|leggi pure|lee también|lea también|más información|ver también|"
        r"leia também|leia mais|читайте также|читайте також|関連記事|相关阅读|相关新闻|اقرأ أيضا)"
        r"\s*(?:[:|»>–—-].*)?$",
    ),
    _rule(
        "teaser",
        30,
        r"^(?:read|see|view) more(?: (?:about|on|of|from|stories|news|articles|here)\b.*)?$",
        r"^(?:read|get|see|follow) (?:the|all the) latest (?:news|stories|updates|headlines)\b",
        r"^(?:click|tap) here\b",
        r"^download (?:the|our) .{0,40}\bapp\b",
        r"\bdownload our app\b",
        r"\brefresh (?:this|the) page\b",
        r"^(?:this is a |this )?(?:developing|breaking) (?:story|news)\b",
        r"^this (?:story|article|report|page) (?:is developing|will be updated|has been updated)\b",
        r"^reporting is ongoing\b",
    ),
    _rule(
        "newsletter",
        35,
        r"\b(?:sign(?:ing)? up|subscribe|register|join)\b.{0,60}\bnewsletters?\b",
        r"\bnewsletters?\b.{0,40}\b(?:sign(?:ing)? up|subscribe)\b",
        r"\b(?:in|to) your inbox\b",
        r"^(?:get|receive|want) (?:the |our )?(?:free |daily |weekly )?(?:newsletter|briefing)\b",
        r"^newsletters?$",
        r"^enter your e-?mail\b",
        r"^by (?:signing up|subscribing|registering|clicking)\b.{0,80}\b(?:agree|accept|consent)",
        r"^thanks? (?:you )?for (?:signing up|subscribing|registering)\b",
        r"^sign up (?:for|to) (?:our|the|free|unlimited|a free)\b",
    ),
    _rule(
        "cookies",
        45,
        r"\b(?:we|this (?:site|website|page)|our (?:site|website|partners)) (?:use|uses|are using) cookies\b",
        r"\bcookies? (?:policy|settings|preferences|consent|notice|banner)\b",
        r"^(?:accept|reject|allow|manage|decline|refuse)(?: all)?"
        r"(?: cookies?| preferences| cookie preferences| settings)?$",
        r"\bby (?:continuing to (?:browse|use|visit)|using this (?:site|website))\b",
        r"^(?:privacy policy|terms (?:of use|of service|and conditions)|cookie policy|privacy settings)$",
    ),
    _rule(
        "site-notice",
        40,
        r"\bmay not be (?:published|reproduced|rewritten|redistributed|copied)\b.{0,40}"
        r"(?:broadcast|rewritten|redistributed|without)",
        r"\bmay not be in its final form\b",
        r"^our standards\s*:",
        r"^sorry,? (?:this|the) (?:media|video|content|page) is not available\b",
        r"^(?:this|the) (?:video|media|content|audio) (?:is )?(?:no longer |currently |not )+available\b",
        r"^please ensure you have read\b",
        r"^(?:tags?|topics?|filed under|categories|keywords)\s*:\s*\S",
        r"^the opinions expressed (?:are|here are) (?:his|her|their|the author's) own\b",
        r"\bfor full instructions\b",
        r"^(?:enable|you need) javascript\b",
    ),
)

_AGENCY_CREDIT = (
    r"(?:AP|AFP|Reuters|REUTERS|EPA|PA|Getty Images|Getty|Rex Features|Rex|Shutterstock|Alamy|Bloomberg|"
    r"Corbis|Handout|ANSA|dpa|EFE|Xinhua|Kyodo)"
)
# "Photograph: Jim Young/Reuters What does this mean ...": the credit goes, the sentence stays
_CREDIT_THEN_TEXT = re.compile(
    rf"^(?P<credit>(?:photo|photograph|picture|pic|image|credit|photo credit)s?\s*:\s*"
    rf"(?:[^\s/]+(?: [^\s/]+){{0,5}}/)*{_AGENCY_CREDIT}(?:/[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)?)*)"
    r"\s+(?P<rest>[A-Z\"“‘'].*\S.*)$",
    re.IGNORECASE,
)

_LONGEST = max(rule.max_words for rule in RULES)
_EDGE_PUNCT = re.compile(r"^[\s•·▶►»>|*#\-–—]+|[\s•·|*]+$")


def _key(line: str) -> str:
    """The line as the rules see it: bullets and edge punctuation off, tokenised " ." joined."""
    return re.sub(r"\s+([.,:;!?])", r"\1", _EDGE_PUNCT.sub("", line))


def boilerplate_category(line: str) -> str | None:
    """The category of boilerplate this line is, or None for article text."""
    key = _key(line)
    if not key:
        return None
    words = len(key.split())
    if words > _LONGEST:
        return None
    for rule in RULES:
        if words <= rule.max_words and rule.pattern.search(key):
            return rule.category
    return None


def remove_boilerplate(text: str) -> tuple[str, tuple[str, ...]]:
    """Text without its boilerplate lines, and the removed lines in order. Paragraphs are kept."""
    removed: list[str] = []
    seen: set[str] = set()
    paragraphs: list[str] = []
    for paragraph in text.split("\n\n"):
        kept: list[str] = []
        for line in paragraph.split("\n"):
            stripped = line.strip()
            if not stripped:
                continue
            split = _CREDIT_THEN_TEXT.match(stripped)
            if split and len(split.group("rest").split()) >= 2:
                removed.append(split.group("credit"))
                line = stripped = split.group("rest")
            if stripped in seen or boilerplate_category(stripped) is not None:
                removed.append(stripped)
                continue
            seen.add(stripped)
            kept.append(line)
        if kept:
            paragraphs.append("\n".join(kept))
    return "\n\n".join(paragraphs), tuple(removed)
