"""The learned line classifier for plain text: which lines of an article are its text.

Each line is described by features of itself and of its neighbours (length, sentence shape, final
punctuation, digit and capital ratios, stop-word ratio in the default languages, position from top and
bottom, link/credit/cue words, repetition in the document); a logistic regression trained by
`storyline train cleaner` (module `storyline.clean.train`) scores them. The model ships as a small JSON
file (`storyline/data/cleaner-lines.json`): feature names, standardization, weights and threshold.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from storyline.clean.language import DEFAULT_LANGUAGES

MODEL_FILE = "cleaner-lines.json"
MODEL_FORMAT = "storyline-line-model/3"

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_SENTENCE_END = tuple(".!?。！？…\"'”’»)")
_SENTENCE_INSIDE = re.compile(r"[.!?。！？](?:\s|$)")
_URLISH = re.compile(r"https?://|www\.|\.(?:com|org|net|html?)\b|@\w", re.IGNORECASE)
_DATEISH = re.compile(
    r"\b(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2})\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli|okt|dez|"
    r"janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\w*\.?\s+\d",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"\s[|•·»›/]\s|\s[–—-]\s")
_CLOCK = re.compile(r"\b\d{1,2}[:.h]\d{2}\b(?:\s*[ap]\.?m\b)?|\b\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(?:[-–—•·*►▪◦>]|\d{1,3}[.)]|[a-z][.)])\s")
_COUNT_AT_END = re.compile(r"\(\d+\)$|\[\d+\]$")
_QUOTE_START = tuple("\"'“‘«„‹「『")
# A reader's comment header: "NAME says:", "NAME wrote:", a reply prompt, in the default languages.
_COMMENT_HEAD = re.compile(
    r"\b(?:says|said|wrote|writes|replied|schreibt|schrieb|meint|a écrit|écrit|dit|escribió|escribe|dice|"
    r"disse|ha scritto|scrive|пишет|написал|пише|написав)\s*:\s*|^(?:reply|antworten|répondre|responder|"
    r"rispondi|responder|ответить|відповісти|返信|回复|답글|رد)\b",
    re.IGNORECASE,
)

# Words that mark site furniture (links, credits, prompts) in the twelve default languages.
_CUES = frozenset(
    """
    share shares shared tweet email e-mail print comment comments reply replies subscribe subscriber subscribers
    subscription login log sign register newsletter newsletters follow followers like likes photo photos
    photograph image images picture credit credits copyright advertisement advertising sponsored related
    read more click tap here download app cookie cookies privacy terms policy menu home search tags tag topics
    posted updated published via source sources editor reporter contact about rss feed video watch gallery
    next previous prev back top loading javascript browser account password
    partager partagez commentaire commentaires abonnez abonné abonnement connexion inscription suivez photo
    crédit publicité lire aussi voir accueil rechercher mots-clés publié modifié écouter
    teilen kommentar kommentare kommentieren abonnieren abo anmelden registrieren folgen foto bild bildquelle
    quelle werbung anzeige lesen sie auch mehr startseite suche schlagwörter veröffentlicht aktualisiert
    impressum datenschutz drucken weiterlesen zurück
    compartir comentario comentarios suscríbete suscribirse iniciar sesión registrarse síguenos foto imagen
    publicidad leer más también inicio buscar etiquetas publicado actualizado
    condividi commento commenti iscriviti abbonati accedi registrati seguici immagine pubblicità leggi anche
    altro cerca tag pubblicato aggiornato
    compartilhe comentário comentários assine entrar cadastre siga imagem publicidade leia também mais
    início pesquisar publicado atualizado
    поделиться комментарий комментарии подписаться подпишитесь войти регистрация фото реклама читайте также
    далее главная поиск теги опубликовано обновлено
    поділитися коментар коментарі підписатися увійти реєстрація фото реклама читайте також головна пошук
    опубліковано оновлено
    共有 コメント 購読 ログイン 登録 写真 画像 広告 関連記事 続きを読む ホーム 検索 タグ 更新
    分享 评论 订阅 登录 注册 图片 照片 广告 相关 阅读 更多 首页 搜索 标签 发布 更新
    공유 댓글 구독 로그인 회원가입 사진 광고 관련 기사 더보기 홈 검색 태그 입력 수정
    شارك تعليق تعليقات اشترك تسجيل الدخول صورة إعلان اقرأ أيضا المزيد الرئيسية بحث الوسوم نشر تحديث
    """.split()  # noqa: SIM905
)


_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")  # kana and CJK ideographs
_UNSPACED_CUES = tuple(w for w in _CUES if _UNSPACED.search(w))


@lru_cache(maxsize=1)
def stop_words() -> dict[str, tuple[int, ...]]:
    """Each stop word of the default languages (`storyline.text.words.stop_words`, spaCy's lists), with
    the languages (by index) it is one in."""
    from storyline.text.words import stop_words as language_stop_words

    out: dict[str, list[int]] = {}
    for index, code in enumerate(DEFAULT_LANGUAGES):
        for word in language_stop_words(code):
            out.setdefault(word, []).append(index)
    return {w: tuple(codes) for w, codes in out.items()}


def word_count(text: str) -> int:
    """Words of a line; in scripts written without spaces (Chinese, Japanese), two characters a word."""
    return len(_WORD.findall(text)) + len(_UNSPACED.findall(text)) // 2


def _own_features(line: str, counts: Counter[str], stops: dict[str, tuple[int, ...]]) -> list[float]:
    text = line.strip()
    words = _WORD.findall(text.lower())
    n_words = word_count(text)
    chars = len(text)
    letters = _LETTER.findall(text)
    upper = sum(map(str.__ne__, text, text.lower()))  # letters that lower-casing changes
    digits = len(_DIGIT.findall(text))
    per_language = Counter(code for w in words for code in stops.get(w, ()))
    stop_ratio = max(per_language.values(), default=0) / len(words) if words else 0.0
    cue = sum(w in _CUES for w in words) + sum(c in text for c in _UNSPACED_CUES if _UNSPACED.search(text))
    split = text.split()
    capitalized = sum(w[:1].isupper() for w in split) / max(1, len(split))
    dated = bool(_DATEISH.search(text)) or bool(_CLOCK.search(text))
    return [
        math.log1p(chars),
        math.log1p(n_words),
        float(text.endswith(_SENTENCE_END)),
        float(text.endswith(":")),
        float(text.endswith((",", ";", "-", "–", "—", "|"))),
        float(text[:1].isupper()),
        float(text[:1].isdigit()),
        digits / max(1, chars),
        upper / max(1, len(letters)),
        len(letters) / max(1, chars),
        capitalized,
        math.log1p(len(_SENTENCE_INSIDE.findall(text))),
        text.count(",") / max(1, n_words),
        stop_ratio,
        cue / max(1, n_words),
        float(cue > 0),
        float(bool(_URLISH.search(text))),
        float("©" in text or "(c)" in text.lower()),
        float(bool(_DATEISH.search(text))),
        float(bool(_SEPARATORS.search(text))),
        float(counts[text] > 1),
        float(n_words <= 3),
        float(n_words >= 15),
        float(dated and n_words <= 12),
        float(bool(_CLOCK.search(text))),
        float(bool(_COMMENT_HEAD.search(text))),
        float(bool(_LIST_ITEM.match(text))),
        float(bool(_COUNT_AT_END.search(text))),
        float(text.startswith(_QUOTE_START)),
        float(text.endswith(("...", "…"))),
        float(text[:1].islower()),
    ]


OWN = [
    "log_chars", "log_words", "ends_sentence", "ends_colon", "ends_open", "starts_upper", "starts_digit",
    "digit_ratio", "upper_ratio", "letter_ratio", "capitalized_words", "log_sentences", "comma_ratio",
    "stop_ratio", "cue_ratio", "has_cue", "has_link", "has_copyright", "has_date", "has_separator",
    "repeated", "short", "long", "date_line", "has_clock", "comment_head", "list_item", "count_at_end",
    "starts_quote", "ends_ellipsis", "starts_lower",
]  # fmt: skip
_NEIGHBOUR = ["log_words", "ends_sentence", "stop_ratio", "cue_ratio", "long", "short", "date_line",
              "comment_head", "list_item"]  # fmt: skip
_NEIGHBOUR_AT = [OWN.index(n) for n in _NEIGHBOUR]
_OFFSETS = (-3, -2, -1, 1, 2, 3)
_DOCUMENT = [
    "rel_position", "log_from_top", "log_from_bottom", "log_lines", "relative_length", "long_lines_above",
    "long_lines_below", "share_of_words_before", "date_lines_near", "comment_heads_near",
    "date_lines_since_text", "date_lines_until_text", "after_first_text", "before_last_text",
    "from_densest", "in_densest", "share_long_lines",
]  # fmt: skip
FEATURES = OWN + [f"{n}@{o:+d}" for o in _OFFSETS for n in _NEIGHBOUR] + _DOCUMENT
_DENSE_WINDOW = 8  # lines of the window whose words locate the densest text of a document
_NEAR = 5  # lines either side counted as near


def _running(flags: Sequence[bool]) -> list[int]:
    """How many flags are set strictly before each position."""
    out, total = [], 0
    for flag in flags:
        out.append(total)
        total += flag
    return out


def _near(flags: Sequence[bool], radius: int) -> list[int]:
    """How many flags are set within `radius` positions of each (the position itself left out)."""
    prefix = [0]
    for flag in flags:
        prefix.append(prefix[-1] + flag)
    n = len(flags)
    return [prefix[min(n, i + radius + 1)] - prefix[max(0, i - radius)] - flags[i] for i in range(n)]


def _densest(lengths: Sequence[int]) -> tuple[int, int]:
    """The first and last line of the first window of lines holding (nearly) the most words: article text
    tends to come first and be dense, reader comments after it."""
    n = len(lengths)
    size = min(n, _DENSE_WINDOW)
    prefix = [0]
    for length in lengths:
        prefix.append(prefix[-1] + length)
    sums = [prefix[i + size] - prefix[i] for i in range(n - size + 1)]
    best = max(sums)
    start = next(i for i, total in enumerate(sums) if total >= 0.6 * best)
    return start, start + size - 1


def line_features(lines: Sequence[str]) -> list[list[float]]:
    """The feature vector of every line of one document (lines in order, blank lines left out)."""
    stops = stop_words()
    stripped = [line.strip() for line in lines]
    counts = Counter(stripped)
    own = [_own_features(line, counts, stops) for line in stripped]
    n = len(lines)
    if not n:
        return []
    lengths = [word_count(line) for line in stripped]
    median = sorted(lengths)[n // 2]
    total = sum(lengths) or 1
    long_flags = [length >= 15 for length in lengths]
    above = _running(long_flags)
    below = _running(long_flags[::-1])[::-1]
    date_flags = [row[OWN.index("date_line")] > 0 for row in own]
    head_flags = [row[OWN.index("comment_head")] > 0 for row in own]
    dates_near = _near(date_flags, _NEAR)
    heads_near = _near(head_flags, _NEAR)
    first_text = next((i for i, f in enumerate(long_flags) if f), n)
    last_text = max((i for i, f in enumerate(long_flags) if f), default=-1)
    dates_since = _running([f and i > first_text for i, f in enumerate(date_flags)])
    dates_until = _running([f and i < last_text for i, f in enumerate(date_flags)][::-1])[::-1]
    dense_start, dense_end = _densest(lengths)
    share_long = sum(long_flags) / n
    out: list[list[float]] = []
    before = 0
    blank = [0.0] * len(_NEIGHBOUR)
    for i in range(n):
        row = list(own[i])
        for offset in _OFFSETS:
            j = i + offset
            row.extend([own[j][k] for k in _NEIGHBOUR_AT] if 0 <= j < n else blank)
        from_dense = i - dense_end if i > dense_end else i - dense_start if i < dense_start else 0
        row.extend(
            [
                i / max(1, n - 1),
                math.log1p(i),
                math.log1p(n - 1 - i),
                math.log1p(n),
                math.log1p(lengths[i]) - math.log1p(median),
                math.log1p(above[i]),
                math.log1p(below[i]),
                before / total,
                float(dates_near[i]),
                float(heads_near[i]),
                math.log1p(dates_since[i]),
                math.log1p(dates_until[i]),
                math.copysign(math.log1p(abs(i - first_text)), i - first_text),
                math.copysign(math.log1p(abs(last_text - i)), last_text - i),
                math.copysign(math.log1p(abs(from_dense)), from_dense),
                float(dense_start <= i <= dense_end),
                share_long,
            ]
        )
        before += lengths[i]
        out.append(row)
    return out


CONTEXT = [
    "p@-2", "p@-1", "p", "p@+1", "p@+2", "max_p_above3", "max_p_below3", "mean_p_window5",
    "share_p_above", "share_p_below",
]  # fmt: skip


def context_features(probs: Sequence[float]) -> list[list[float]]:
    """Second-stage features: the first stage's scores of a line and of the lines around it (text comes
    in runs)."""
    n = len(probs)
    high = [p >= 0.5 for p in probs]
    above = [0] * n
    below = [0] * n
    for i in range(1, n):
        above[i] = above[i - 1] + high[i - 1]
    for i in range(n - 2, -1, -1):
        below[i] = below[i + 1] + high[i + 1]

    def at(j: int) -> float:
        return probs[j] if 0 <= j < n else 0.0

    out = []
    for i in range(n):
        window = probs[max(0, i - 5) : i + 6]
        out.append(
            [
                at(i - 2), at(i - 1), probs[i], at(i + 1), at(i + 2),
                max(probs[max(0, i - 3) : i], default=0.0),
                max(probs[i + 1 : i + 4], default=0.0),
                sum(window) / len(window),
                above[i] / max(1, i),
                below[i] / max(1, n - 1 - i),
            ]
        )  # fmt: skip
    return out


@dataclass(frozen=True)
class Trees:
    """Gradient-boosted regression trees (scikit-learn's HistGradientBoostingClassifier, exported): the
    log-odds of text is `baseline` plus one leaf value per tree. Each tree is five parallel lists: the
    feature of a split (-1 at a leaf), its threshold (value <= threshold goes left), the left and right
    child, and the leaf value."""

    baseline: float
    trees: tuple[
        tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[int, ...], tuple[float, ...]], ...
    ]

    def log_odds(self, row: Sequence[float]) -> float:
        total = self.baseline
        for feature, threshold, left, right, value in self.trees:
            node = 0
            while feature[node] >= 0:
                node = left[node] if row[feature[node]] <= threshold[node] else right[node]
            total += value[node]
        return total

    def prob(self, row: Sequence[float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.log_odds(row)))))

    def to_json(self) -> dict[str, object]:
        return {
            "kind": "trees",
            "baseline": round(self.baseline, 6),
            "trees": [
                {"feature": list(f), "threshold": list(th), "left": list(lo),
                 "right": list(hi), "value": [round(v, 6) for v in val]}
                for f, th, lo, hi, val in self.trees
            ],
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Trees:
        raw = data["trees"]
        if not isinstance(raw, list):
            raise ValueError("line model: trees is not a list")
        trees = tuple(
            (tuple(int(x) for x in t["feature"]), tuple(float(x) for x in t["threshold"]),
             tuple(int(x) for x in t["left"]), tuple(int(x) for x in t["right"]),
             tuple(float(x) for x in t["value"]))
            for t in raw
        )  # fmt: skip
        return cls(float(str(data["baseline"])), trees)


@dataclass(frozen=True)
class Stage:
    """One logistic regression over standardized features."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float

    def prob(self, row: Sequence[float]) -> float:
        z = self.intercept + sum(
            w * (x - m) / s for w, x, m, s in zip(self.weights, row, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, object]:
        return {
            "kind": "logistic",
            "mean": [round(x, 6) for x in self.mean],
            "scale": [round(x, 6) for x in self.scale],
            "weights": [round(x, 6) for x in self.weights],
            "intercept": round(self.intercept, 6),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Stage:
        def floats(key: str) -> tuple[float, ...]:
            value = data[key]
            if not isinstance(value, list):
                raise ValueError(f"line model: {key} is not a list")
            return tuple(float(x) for x in value)

        return cls(floats("mean"), floats("scale"), floats("weights"), float(str(data["intercept"])))


@dataclass(frozen=True)
class LineModel:
    """Two stacked logistic regressions: the first over each line's features, the second over the same
    features and the first stage's scores around the line."""

    version: str
    features: tuple[str, ...]
    first: Stage | Trees
    second: Stage | Trees
    threshold: float  # lines scoring below are boilerplate
    trained_on: dict[str, object]
    title: Stage | None = None  # scores the first lines of a plain text as its headline (clean.metadata)

    def scores(self, lines: Sequence[str]) -> list[float]:
        """Probability that each line is article text."""
        return self.scores_of(line_features(lines))

    def scores_of(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """Probability of text for each line's row of `line_features`."""
        if tuple(FEATURES) != self.features:
            raise ValueError(f"line model {self.version}: features differ from this code's")
        first = [self.first.prob(row) for row in rows]
        return [
            self.second.prob([*row, *ctx]) for row, ctx in zip(rows, context_features(first), strict=True)
        ]

    def keep(self, lines: Sequence[str]) -> list[bool]:
        return [s >= self.threshold for s in self.scores(lines)]

    def to_json(self) -> dict[str, object]:
        return {
            "format": MODEL_FORMAT,
            "version": self.version,
            "features": list(self.features),
            "context": CONTEXT,
            "first": self.first.to_json(),
            "second": self.second.to_json(),
            "threshold": round(self.threshold, 6),
            "trained_on": self.trained_on,
            "title": self.title.to_json() if self.title is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> LineModel:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a line model: format {data.get('format')!r}")
        features = data["features"]
        first, second = data["first"], data["second"]
        trained_on = data.get("trained_on") or {}
        if not (isinstance(features, list) and isinstance(first, dict) and isinstance(second, dict)
                and isinstance(trained_on, dict)):  # fmt: skip
            raise ValueError("line model: malformed file")
        return cls(
            version=str(data["version"]),
            features=tuple(str(f) for f in features),
            first=stage_from_json(first),
            second=stage_from_json(second),
            threshold=float(str(data["threshold"])),
            trained_on=trained_on,
            title=Stage.from_json(title) if isinstance(title := data.get("title"), dict) else None,
        )


def stage_from_json(data: dict[str, object]) -> Stage | Trees:
    return Trees.from_json(data) if data.get("kind") == "trees" else Stage.from_json(data)


@lru_cache(maxsize=1)
def shipped_model() -> LineModel | None:
    """The model shipped in storyline/data, None when there is none."""
    try:
        text = resources.files("storyline").joinpath("data", MODEL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    return LineModel.from_json(json.loads(text))


def content_key(line: str) -> str:
    return unicodedata.normalize("NFKC", line).strip()


MIN_LINES = 5  # texts with fewer lines are left to the rules


def remove_learned(text: str, model: LineModel) -> tuple[str, tuple[str, ...]]:
    """Text without the lines the model scores as boilerplate, and those lines. Paragraphs are kept;
    a text the model would empty is returned whole (nothing is better than a wrong nothing)."""
    paragraphs = [p.split("\n") for p in text.split("\n\n")]
    positions = [(i, j) for i, para in enumerate(paragraphs) for j, line in enumerate(para) if line.strip()]
    if len(positions) < MIN_LINES:  # too few lines to tell a page's furniture from its text
        return text, ()
    keep = model.keep([paragraphs[i][j] for i, j in positions])
    if not any(keep):
        return text, ()
    dropped = {pos for pos, k in zip(positions, keep, strict=True) if not k}
    kept = [
        "\n".join(line for j, line in enumerate(para) if line.strip() and (i, j) not in dropped)
        for i, para in enumerate(paragraphs)
    ]
    removed = tuple(paragraphs[i][j].strip() for i, j in positions if (i, j) in dropped)
    return "\n\n".join(p for p in kept if p.strip()), removed
