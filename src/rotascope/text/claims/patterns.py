"""Rule-based extraction of quantitative market claims.

Every sentence is scanned by named rules (regular expressions over the sentence, built
from the small vocabulary below) after instrument mentions have been located with the
alias table. Each rule's match becomes a :class:`~rotascope.text.claims.model.Claim`
whose ``rule`` field names the rule, so every extraction can be traced to one pattern.
The rules, in priority order (when two rules claim the same figure, the first wins):

==================  =====================================================================
rule                reads
==================  =====================================================================
breadth             "62% of S&P 500 stocks are above their 50-day (moving average)",
                    "the share of stocks above their 200-day fell to 40%"
rsi_level           "RSI above 50", "its 14-day RSI is at 72", "RSI fell below 30"
rsi_state           "overbought" (RSI > 70) / "oversold" (RSI < 30)
rsi_pattern         "RSI making lower highs and lower lows" (or higher ... higher)
ma_position         "slipped below its 20, 50 and 100-day averages", "reclaimed its
                    200-day", "trading below a falling 50-day"
ma_direction        "its 200-day moving average is rising", "the 50-day is turning lower"
extreme             "hit a new 4-month low relative to the S&P 500", "a 52-week high",
                    "weakest (level) since April", "lowest since March 2025"
outperformance      "outperformed the S&P 500 by 5 percentage points this year",
                    "lagging the equal-weight index by 3 points", "beat Europe"
gap                 "the gap between A and B widened to 12 percentage points"
drawdown            "down 20% from its peak", "10% below its record high",
                    "in a bear market" (<= -20%), "in correction territory" (<= -10%)
range               "between 6,800 and 7,000", "in a 4.2%-4.5% range"
level               "testing $60,000", "closed at 5,900", "rose to 4.6%" (a yield)
move                "rose 2%", "is up 10% year to date", "shed 25% in two weeks",
                    "a 3% drop on Friday", "closed 2% higher", "versus 3% for B"
move_signed         "NVDA +18.7% on Wednesday", "Nvidia -3.2% WTD" (sign = direction)
move_elided         "lost 1.5%, the Nasdaq 100 1.0% and the Russell 2000 1.7%"
new_highs_lows      "new 52-week highs outnumber new lows", "more stocks hit lows than highs"
participation       "participation is broad", "breadth remains narrow"
breadth_elided      "..., and nearly two-thirds are above the 200-day"
sequence            "bitcoin peaked first", "Nvidia bottomed a month before Tesla"
stretch_since       "the best two-week stretch since 2020", "its worst week since March"
first_since         "the first close below the 200-day since April"
points_than         "4 points more than the S&P 500"
rank_of             "the weakest of the 11 S&P 500 sectors", "technology was the strongest"
table_cell          a Markdown/HTML table cell: row name, signed change, period header
==================  =====================================================================

A ``move`` becomes ``one_day`` when its period is one session, ``decline`` when a fall is
stated over a duration ("in two weeks": the worst fall inside the window), else ``return``.

Subjects and objects
--------------------
The subject of a claim is the last instrument mentioned before its figure in the same
sentence that is not the object of another phrase (after "than", "versus", "vs",
"relative to", "against", "compared with", or an outperformance verb). Noun phrases can
name it after the figure ("a 3% gain for Nvidia"). A sentence without a subject that
starts with "It", "Its", "Shares", "The stock", "The index", "The ETF", ... refers to the
previous sentence's subject. A figure whose subject is a business quantity (revenue,
earnings, sales, margins, inflation, payrolls, ...) between the instrument and the
figure is not a market claim and is skipped.

Periods
-------
:mod:`rotascope.text.claims.dates` finds period phrases. A claim uses (1) the first
period phrase after its figure and before the next figure of the sentence, else (2) a
phrase before its subject in the same sentence, else (3) the only period phrase of the
sentence, else (4) the last period stated earlier in the same paragraph (marked
``origin="context ..."``). Without any period a claim about a change is "cannot check".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ..aliases import Alias, AliasTable, Mention
from ..extract import Document, Sentence
from .candidates import Candidate
from .dates import find_anchor, find_windows, parse_count
from .model import Claim, WindowSpec

__all__ = ["extract_claims", "extract_from_sentence", "parse_candidate", "RULES", "Context",
           "table_claims",
           "parse_number",
           "parse_qualifier"]

# -- vocabulary ---------------------------------------------------------------------------

#: Numbers written as words count only before a percent unit ("twenty-three percent").
_WORD_NUM = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?:one|two|"
             r"three|four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|"
             r"nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
             r"nineteen)(?:\s+and\s+a\s+half)?(?=\s+(?:percent|per\s+cent|percentage\s+points?)\b)")
_NUM = (r"[+\-\u2212\u2013]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[+\-\u2212\u2013]?\d+(?:\.\d+)?|"
        + _WORD_NUM)
_WORD_VALUES = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"))}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_PCT_UNIT = r"(?:\s?%|\s+percent\b|\s+per\s+cent\b|\s+pct\b)"
_PP_UNIT = (r"(?:\s+percentage[-\s]points?\b|\s?pp\b|\s?ppts?\b|\s+points?\b|\s?%|"
            r"\s+percent\b|\s+basis\s+points?\b|\s?bps?\b)")
_QUAL = (r"(?P<q>more\s+than|over|above|at\s+least|north\s+of|in\s+excess\s+of|upwards\s+of|"
         r"just\s+over|a\s+little\s+over|slightly\s+more\s+than|nearly|almost|close\s+to|"
         r"just\s+shy\s+of|just\s+under|approaching|something\s+like|more\s+or\s+less|"
         r"give\s+or\s+take|circa|maybe|like|about|around|roughly|some|approximately|"
         r"an\s+estimated|~|less\s+than|under|at\s+most|up\s+to|as\s+much\s+as|a\s+further|"
         r"another|an\s+additional|fully|a\s+full|a\s+hefty|a\s+whopping|a\s+modest|a\s+mere|"
         r"only|just|exactly)?\s*")
_QUALIFIERS = {
    "over": ("more than", "over", "above", "at least", "north of", "in excess of",
             "upwards of", "just over", "a little over", "slightly more than", "as much as"),
    "nearly": ("nearly", "almost", "close to", "just shy of", "just under", "approaching"),
    "about": ("about", "around", "roughly", "some", "approximately", "an estimated", "~",
              "something like", "like", "maybe", "more or less", "give or take", "circa",
              "roughly like", "about like"),
    "under": ("less than", "under", "at most", "up to"),
}

_UP = (r"rose|rises|risen|rising|gained|gains|gaining|added|adds|adding|climbed|climbs|"
       r"climbing|advanced|advances|advancing|rallied|rallies|rallying|jumped|jumps|jumping|"
       r"surged|surges|surging|soared|soars|soaring|rebounded|rebounds|popped|pops|spiked|"
       r"leapt|leaped|rocketed|rockets|skyrocketed|zoomed|vaulted|raced|ripped|"
       r"powered\s+ahead|pushed\s+higher|tacked\s+on|picked\s+up|squeezed\s+higher|"
       r"rebounding|climbing|soaring|popping|spiking|"
       r"edged\s+up|edged\s+higher|ticked\s+up|ticked\s+higher|moved\s+up|"
       r"moved\s+higher|returned|returns|firmed|increased|increases|is\s+up|was\s+up|are\s+up|"
       r"were\s+up|has\s+been\s+up|up|higher\s+by")
_DOWN = (r"fell|falls|fallen|falling|dropped|drops|dropping|declined|declines|declining|lost|"
         r"loses|losing|slid|slides|sliding|slipped|slips|slumped|slumps|tumbled|tumbles|"
         r"plunged|plunges|plummeted|plummets|sank|sinks|sinking|shed|sheds|shedding|retreated|"
         r"retreats|dipped|dips|eased|eases|skidded|gave\s+up|gave\s+back|given\s+up|"
         r"given\s+back|sold\s+off|crashed|cratered|tanked|tanks|collapsed|sagged|sags|"
         r"shaved\s+off|surrendered|decreased|dumped|dumps|dumping|tanking|slumping|"
         r"tumbling|plunging|plummeting|slipping|dipping|giving\s+back|giving\s+up|"
         r"gives\s+back|gives\s+up|crashing|sagging|retreating|"
         r"is\s+down|was\s+down|are\s+down|"
         r"were\s+down|has\s+been\s+down|down|lower\s+by|is\s+off|was\s+off|off")
_UP_NOUN = r"gain|rise|rally|jump|advance|surge|increase|climb|return|rebound|pop|spike|run-up"
_DOWN_NOUN = (r"drop|decline|fall|loss|slide|plunge|slump|selloff|sell-off|retreat|decrease|"
              r"tumble|pullback|drawdown|dip|haircut")

_MONTH_NAMES = (r"(?:January|February|March|April|May|June|July|August|September|October|"
                r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)")

#: Words that mark a mention as the *object* of a comparison, not a claim's subject.
_OBJECT_MARK = re.compile(r"(?:\bthan|\bversus|\bvs\.?|\bv\.|\brelative\s+to|\bagainst|"
                          r"\bcompared\s+(?:with|to)|\bover|\bto|\bfor|\bbehind|"
                          r"\bahead\s+of|\bamong|\bamongst|/)\s*(?:the\s+|its\s+)?$", re.I)
#: Business quantities: a figure about them is not a price claim.
_NON_PRICE = re.compile(
    r"\b(?:revenue|revenues|sales|earnings|profit|profits|income|EPS|margin|margins|guidance|"
    r"capex|spending|inflation|CPI|PPI|GDP|payrolls|jobs|unemployment|wages|dividend|"
    r"dividends|buyback|buybacks|volume|volumes|deliveries|shipments|users|subscribers|"
    r"headcount|workforce|market\s+share|market\s+(?:cap|capitali[sz]ation|value)|weight|weighting|stake|allocation|exposure|"
    r"assets|inflows|outflows|flows|borrowing|debt|rates?\s+cut|forecast|estimate|"
    r"estimates|target|price\s+target|valuation|multiple|P/E|yield\s+curve|odds|"
    r"probability|chance|share\s+of|implied\s+vol(?:atility)?|vol|vols|volatility|skew|"
    r"open\s+interest|calls|puts|contracts|premium|premiums|delta|gamma|straddles?)\b", re.I)
_BACKREF = re.compile(r"^\s*(?:(?:and|but|yet|so|meanwhile|still|also),?\s+)?"
                      r"(?:it|its|it's|they|their|them|both|each|all\s+(?:three|four|five|"
                      r"of\s+them)|(?:these|those|the)\s+(?:stocks|names|shares|companies|"
                      r"two|three|four|funds|ETFs)|shares|the\s+(?:stock|shares|index|etf|"
                      r"fund|company|group|ratio|sector|benchmark|gauge|basket|trade|pair|"
                      r"trio|maker|giant|firm))\b",
                      re.I)
#: Words that make a statement a forecast, condition or hedge rather than a fact.
_HEDGE = re.compile(
    r"\b(?:could|(?-i:may)|might|would|should|will|won't|shall|if|unless|"
    r"expects?|expected|expecting|forecasts?|forecasting|predicts?|predicted|projects?|"
    r"projected|sees|see\s+(?:it|them|the)|targets?|targeting|aims?|likely\s+to|poised\s+to|"
    r"set\s+to|on\s+track\s+to|on\s+course\s+to|bound\s+to|looks?\s+set|"
    r"threatens?\s+to|risks\s+(?:a|an|falling|slipping|further)|hopes?|wants?|wish(?:es)?|"
    r"(?:looking|waiting|watching)\s+for|"
    r"needs?\s+to|has\s+to|have\s+to|would\s+need|scenario|base\s+case|bull\s+case|"
    r"bear\s+case|suppose|assuming|imagine|what\s+if|next\s+(?:week|month|quarter|year)|"
    r"by\s+year[-\s]end|by\s+the\s+end\s+of|in\s+the\s+coming|"
    # a view, and the present tense of a year's end still to come: "We think the S&P 500
    # ends the year at 7,800" (what happened is "ended the year at")
    r"(?:we|I|they)\s+(?:think|believe|reckon)|(?:ends|finishes|closes)\s+(?:the|this)\s+year)"
    r"\b", re.I)
#: Where a clause starts (a hedge before it does not reach the figure).
_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:while|whereas|but|and|as|even\s+as)\b|"
                           r"\b(?:while|whereas|but)\b|\u2014|--", re.I)
#: Separators between the names of a list subject ("Apple, Nvidia and Alphabet").
_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|as\s+well\s+as\s+)?|\s+and\s+|\s*&\s*|"
                       r"\s+as\s+well\s+as\s+|\s+plus\s+)(?:the\s+)?", re.I)


def parse_number(text: str) -> float:
    """``"6,800"`` -> 6800.0, ``"-3.5"`` / ``"\u22123.5"`` -> -3.5, ``"60k"`` -> 60000.0."""
    t = text.strip().replace(",", "").replace("\u2212", "-").replace("\u2013", "-")
    t = t.replace("$", "")
    low = t.lower()
    half = 0.5 if re.search(r"\s+and\s+a\s+half$", low) else 0.0   # "two and a half"
    words = re.split(r"[-\s]+", re.sub(r"\s+and\s+a\s+half$", "", low))
    if words[0] in _TENS or words[0] in _WORD_VALUES:
        return float(sum(_TENS.get(w, _WORD_VALUES.get(w, 0)) for w in words)) + half
    mult = 1.0
    if t[-1:] in ("k", "K"):
        mult, t = 1000.0, t[:-1]
    elif t.lower().endswith("thousand"):
        mult, t = 1000.0, t[: -len("thousand")].strip()
    return float(t) * mult


def parse_qualifier(text: str | None) -> str | None:
    """Map a written qualifier to "over", "nearly", "about", "under" or None."""
    if not text:
        return None
    t = re.sub(r"\s+", " ", text.strip().lower())
    for key, words in _QUALIFIERS.items():
        if t in words:
            return key
    return None


# -- context ------------------------------------------------------------------------------

@dataclass
class Context:
    """State carried between sentences of one paragraph (subjects, periods)."""

    paragraph: int = -1
    last_subject: tuple[Alias, str] | None = None
    last_subjects: list[tuple[Alias, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    last_window: tuple[WindowSpec, int] | None = None
    last_direction: int | None = None
    #: The last period of an earlier paragraph and that paragraph's index (a bullet or a
    #: paragraph without a period of its own reads the one just before it).
    prev_window: tuple[WindowSpec, int] | None = None
    #: The period of the last claim made ("that day", "in that stretch" refer to it).
    claim_window: WindowSpec | None = None
    #: The distinct periods named in the current paragraph: one carries to the next
    #: paragraphs, several ("fell 2.7% on Friday ... down 2.4% for the week") do not.
    para_periods: set = field(default_factory=set)
    #: The periods the claims of the current paragraph used: label -> (count, spec). The
    #: one most of them used (strictly) is the paragraph's period ("The S&P 500 slid 2.7%
    #: on Friday ... the Dow lost 1.9%, leaving it down 2.4% for the week": Friday).
    para_claim_periods: dict = field(default_factory=dict)


@dataclass
class _Found:
    """A rule match before it becomes a Claim."""

    rule: str
    kind: str
    start: int
    end: int
    fig_start: int
    fig_end: int
    stated: object
    qualifier: str | None = None
    subject: Mention | None = None
    objects: list[Mention] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    window: WindowSpec | None = None
    needs_window: bool = True
    subject_after: bool = False
    subject_optional: bool = False
    direction: int | None = None


# -- helpers used by the rules --------------------------------------------------------------

def _mentions_in(mentions: Sequence[Mention], a: int, b: int) -> list[Mention]:
    return [m for m in mentions if a <= m.start and m.end <= b]


def _signed(num: str, direction: int) -> float:
    v = parse_number(num)
    if v < 0 or num.strip()[:1] in "+":
        return v / 100.0 if direction == 0 else abs(v) / 100.0 * direction
    return v / 100.0 * (direction or 1)


# -- rules --------------------------------------------------------------------------------

_RuleFn = Callable[[re.Match[str], str, list[Mention]], "_Found | None"]


@dataclass(frozen=True)
class Rule:
    """A named pattern and the function that turns a match into a found claim."""

    name: str
    kind: str
    pattern: re.Pattern[str]
    build: _RuleFn


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I | re.X)


# breadth -------------------------------------------------------------------------------
_MA_N = (r"(?P<n>\d{1,3})[-\s]?(?:day|d|dma|DMA)\b"
         r"(?:\s+(?:simple\s+|exponential\s+)?(?:moving\s+)?average)?")
_STOCKS = (r"(?:stocks|members|components|constituents|companies|names|issues|shares|"
           r"S&P\s*500\s+stocks|S&P\s*500\s+members|S&P\s*500\s+components|index\s+members)")
_FRACTIONS = {"a fifth": 0.2, "one fifth": 0.2, "one-fifth": 0.2, "two fifths": 0.4,
              "two-fifths": 0.4, "a tenth": 0.1, "one tenth": 0.1, "one-tenth": 0.1,
              "half": 0.5, "a third": 1 / 3, "one third": 1 / 3, "one-third": 1 / 3,
              "two thirds": 2 / 3, "two-thirds": 2 / 3, "a quarter": 0.25, "one quarter": 0.25,
              "one-quarter": 0.25, "three quarters": 0.75, "three-quarters": 0.75}
_BREADTH1 = _rx(rf"""
    (?P<q>only|just|nearly|almost|about|around|roughly|over|more\s+than|less\s+than|fewer\s+than)?\s*
    (?:(?P<num>\d{{1,3}}(?:\.\d+)?)\s*(?:%|\s+percent)|(?P<frac>half|a\s+third|one[-\s]third|
    two[-\s]thirds|a\s+quarter|one[-\s]quarter|three[-\s]quarters|a\s+fifth|one[-\s]fifth|
    two[-\s]fifths|a\s+tenth|one[-\s]tenth)|(?P<nin>\d{{1,2}}|one|two|three|four|nine)\s+
    (?:in|out\s+of)\s+(?:every\s+)?(?P<nof>\d{{1,2}}|two|three|four|five|ten))
    \s+(?:of\s+(?:the\s+|all\s+)?)?
    (?P<uni>S&P\s*500|Nasdaq[-\s]100|Russell\s+\d{{3,4}})?\s*{_STOCKS}
    (?:\s+in\s+the\s+(?P<uni2>S&P\s*500|Nasdaq[-\s]100|index))?
    (?:\s+(?:are|were|is|now|still|currently|remain|remained|trade|traded|trading|closed|sit|
        sat|stand|stood|are\s+trading|were\s+trading|finished|ended))*\s+
    (?P<side>above|below|under|over)\s+(?:their|its|the)\s+{_MA_N}""")
_BREADTH2 = _rx(rf"""
    (?:share|percentage|proportion|percent|fraction)\s+of\s+(?:the\s+)?
    (?P<uni>S&P\s*500|Nasdaq[-\s]100)?\s*{_STOCKS}\s+(?:trading\s+|that\s+are\s+|)?
    (?P<side>above|below|under|over)\s+(?:their|its|the)\s+{_MA_N}s?
    [^.;]{{0,40}}?\b(?:is|was|at|to|of|stands\s+at|sits\s+at|reached|hit|has\s+fallen\s+to|
    fell\s+to|dropped\s+to|rose\s+to|climbed\s+to|jumped\s+to|slid\s+to|now|just)\s+
    (?:just\s+|only\s+|about\s+|around\s+|nearly\s+)?(?P<num>\d{{1,3}}(?:\.\d+)?)\s*(?:%|\s+percent)""")


_BREADTH_UP = _rx(rf"""
    (?P<q>most|the\s+majority\s+of|a\s+majority\s+of|more\s+than\s+half\s+of|
    over\s+half\s+of|less\s+than\s+half\s+of|fewer\s+than\s+half\s+of|only|just|
    nearly|almost|about|around|roughly|over|more\s+than|less\s+than|fewer\s+than)?\s*
    (?:(?P<num>\d{{1,3}}(?:\.\d+)?)\s*(?:%|\s+percent)\s+of|(?P<half>half)\s+of)?\s*
    (?:the\s+|all\s+)?(?P<uni>S&P\s*500|Nasdaq[-\s]100)?\s*{_STOCKS}
    (?:\s+in\s+the\s+(?P<uni2>S&P\s*500|Nasdaq[-\s]100|index))?\s+
    (?:are|were|is|have\s+been|had\s+been|now|still|currently|remain|remained|\s)*
    (?P<dir>up|down|higher|lower|rising|falling|in\s+positive\s+territory|
    in\s+negative\s+territory|in\s+the\s+green|in\s+the\s+red|gained|rose|fell|declined|
    advanced|lost)\b(?!\s+(?:by|more|\d))""")


def _breadth_up(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    """"Most S&P 500 stocks are up this year": the share of members with a rise over the
    period (a breadth claim, never one about the index's own return)."""
    qw = re.sub(r"\s+", " ", (m.group("q") or "").lower())
    num = m.group("num")
    if num is None and m.group("half") is None and qw not in (
            "most", "the majority of", "a majority of", "more than half of", "over half of",
            "less than half of", "fewer than half of"):
        return None
    d = m.group("dir").lower()
    up = d in ("up", "higher", "rising", "gained", "rose", "advanced") or "positive" in d \
        or "green" in d
    if num is not None:
        value = float(num) / 100.0
        q = parse_qualifier(qw) if qw not in ("only", "just") else None
        if qw == "fewer than":
            q = "under"
    elif m.group("half") is not None or qw in ("more than half of", "over half of",
                                               "less than half of", "fewer than half of"):
        value = 0.5
        q = "under" if qw.startswith(("less", "fewer")) else (
            "over" if qw.startswith(("more", "over")) else "about")
    else:                                   # most / the majority of
        value, q = 0.5, "over"
    uni = m.group("uni") or m.group("uni2")
    return _Found("breadth_moves", "breadth", m.start(), m.end(), m.start(), m.end(), value,
                  q, details={"universe": _universe_of(uni), "side": "up" if up else "down",
                              "measure": "moves"}, needs_window=True, subject_optional=True)


_HL = r"(?:new\s+)?(?:52-week\s+|one-year\s+|12-month\s+|annual\s+)?(?:new\s+)?"
#: "New 52-week highs outnumber new lows", "more S&P 500 stocks hit 52-week lows than highs".
_HILO = _rx(rf"""\b(?:{_HL}(?P<a>highs|lows)\s+(?:(?:now|still|again|have|has|easily|
    comfortably|far|handily)\s+)*(?:outnumber\w*|exceed\w*|outpac\w*|outstrip\w*|top|topped|
    tops|beat|beats|are\s+ahead\s+of)\s+(?:the\s+)?{_HL}(?P<b>highs|lows)|
    more\s+(?:(?P<uni>S&P\s*500|Nasdaq[-\s]100)\s+)?(?:{_STOCKS}\s+)?(?:(?:are\s+)?
    (?:hit|hitting|made|making|set|setting|at|reached|reaching|posted|posting)\s+)?
    {_HL}(?P<c>highs|lows)\s+than\s+(?:new\s+)?(?:52-week\s+)?(?P<d>highs|lows))\b""")
#: "Participation is broad", "breadth is narrow", "a rally with narrow participation".
_PARTICIPATION = _rx(r"""\b(?:(?:participation|breadth|the\s+advance|the\s+rally)\s+
    (?:is|was|remains|remained|has\s+been|looks|stays|stayed|is\s+getting|got)\s+
    (?:(?:very|quite|still|increasingly|unusually|remarkably|historically|extremely|so|too)
    \s+)?(?P<s1>broad|narrow|wide|thin)|(?P<s2>broad|narrow|thin)(?:[-\s]based)?\s+
    (?:participation|breadth))\b""")


def _hilo(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    a, b = (m.group("a"), m.group("b")) if m.group("a") else (m.group("c"), m.group("d"))
    if a.lower() == b.lower():
        return None
    more = a.lower()
    return _Found("new_highs_lows", "breadth", m.start(), m.end(), m.start(), m.end(),
                  {"more": more}, details={"universe": _universe_of(m.group("uni")),
                                           "measure": "highs_lows", "more": more},
                  needs_window=False, subject_optional=True)


def _participation(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    word = (m.group("s1") or m.group("s2")).lower()
    side = "broad" if word in ("broad", "wide") else "narrow"
    return _Found("participation", "breadth", m.start(), m.end(), m.start(), m.end(),
                  {"participation": side}, details={"universe": "sp500",
                                                    "measure": "participation",
                                                    "side": side},
                  needs_window=False, subject_optional=True)


def _universe_of(text: str | None) -> str:
    t = (text or "").lower().replace(" ", "").replace("-", "")
    if t.startswith("nasdaq"):
        return "nasdaq100"
    if t.startswith("russell"):
        return "russell" + re.sub(r"\D", "", t)
    return "sp500"


def _breadth(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    side = "above" if m.group("side").lower() in ("above", "over") else "below"
    uni = m.groupdict().get("uni") or m.groupdict().get("uni2")
    q = parse_qualifier(m.groupdict().get("q"))
    if (m.groupdict().get("q") or "").lower() in ("only", "just"):
        q = None
    if (m.groupdict().get("q") or "").lower() == "fewer than":
        q = "under"
    frac = m.groupdict().get("frac")
    if m.groupdict().get("nin"):
        a, b = parse_count(m.group("nin")), parse_count(m.group("nof"))
        if not a or not b or a >= b:
            return None
        value = a / b
        q = q or "about"    # "1 in 5" is a round figure
        fig = "nin"
        return _Found("breadth", "breadth", m.start(), m.end(), m.start(fig), m.end("nof"),
                      value, q, details={"universe": _universe_of(uni), "side": side,
                                         "ma": int(m.group("n"))}, needs_window=False,
                      subject_optional=True)
    if frac:
        value = _FRACTIONS[re.sub(r"\s+", " ", frac.lower())]
        q = q or "about"   # "two-thirds" is a round figure
        fig = "frac"
    else:
        value = float(m.group("num")) / 100.0
        fig = "num"
    return _Found("breadth", "breadth", m.start(), m.end(), m.start(fig), m.end(fig), value, q,
                  details={"universe": _universe_of(uni), "side": side,
                           "ma": int(m.group("n"))}, needs_window=False, subject_optional=True)


#: The second share of a breadth sentence, its "stocks" left out: "About 60% of S&P 500
#: members trade above their 50-day, and nearly two-thirds are above the 200-day".
_BREADTH_ELIDED = _rx(r"""(?:,\s*(?:and|while|but|with)\s+|;\s*|\s+and\s+)
    (?P<q>only|just|nearly|almost|about|around|roughly|over|more\s+than|less\s+than|
    fewer\s+than)?\s*(?:(?P<num>\d{1,3}(?:\.\d+)?)\s*(?:%|\s+percent)|(?P<frac>half|
    a\s+third|one[-\s]third|two[-\s]thirds|a\s+quarter|one[-\s]quarter|three[-\s]quarters|
    a\s+fifth|one[-\s]fifth|two[-\s]fifths|a\s+tenth|one[-\s]tenth))\s+
    (?:are|were|is|trade|traded|sit|sat|remain|remained|stand|closed|now)\s+(?:(?:still|now|
    trading)\s+)?(?P<side>above|below|under|over)\s+(?:the|their|its)\s+
    (?P<n>\d{1,3})[-\s]?(?:day|d|dma|DMA)\b""")


def _breadth_elided(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    before = text[:m.start()]
    first = _BREADTH1.search(before) or _BREADTH2.search(before)
    if first is None:
        return None
    f = _breadth(m, text, mentions)
    if f is None:
        return None
    f.rule = "breadth_elided"
    # The quote starts at the share, not at the ", and" before it.
    f.start = m.start("q") if m.group("q") else m.start("num" if m.group("num") else "frac")
    f.details["universe"] = _universe_of(first.groupdict().get("uni")
                                         or first.groupdict().get("uni2"))
    return f


# RSI -----------------------------------------------------------------------------------
_RSI = r"(?:(?P<rw>\d{1,2})[-\s]?(?:day|period|week)\s+)?(?:RSI|relative\s+strength\s+index)"
_RSI_LEVEL = _rx(rf"""
    {_RSI}\s*(?:\(\s*\d{{1,2}}\s*\)\s*)?
    (?:[^.;%]{{0,30}}?)\b(?P<cmp>above|over|below|under|at|near|around|to|of|back\s+above|
    back\s+below|crossed\s+above|crossed\s+below|reading\s+of)\s+(?P<num>\d{{1,3}}(?:\.\d+)?)
    (?![\d.]*\s*(?:%|-day|day))""")
_RSI_STATE = _rx(r"\b(?P<state>overbought|oversold)\b")
_RSI_PATTERN = _rx(rf"""
    (?:{_RSI}[^.;]{{0,50}}?\b(?P<pat>lower\s+highs\s+and\s+lower\s+lows|higher\s+highs\s+and\s+
    higher\s+lows|lower\s+highs|higher\s+lows|lower\s+lows|higher\s+highs)
    |(?P<pat2>lower\s+highs\s+and\s+lower\s+lows|higher\s+highs\s+and\s+higher\s+lows|lower\s+highs|
    higher\s+lows)\s+(?:on|in)\s+(?:the\s+|its\s+|their\s+)?{_RSI.replace('rw', 'rw2')})""")


def _rsi_window(m: re.Match[str]) -> int:
    for g in ("rw", "rw2"):
        v = m.groupdict().get(g)
        if v:
            return int(v)
    return 14


def _rsi_level(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    cmp_ = m.group("cmp").lower()
    v = float(m.group("num"))
    if v > 100:
        return None
    if "above" in cmp_ or cmp_ == "over":
        rel = "above"
    elif "below" in cmp_ or cmp_ == "under":
        rel = "below"
    else:
        rel = "near"
    return _Found("rsi_level", "rsi", m.start(), m.end(), m.start("num"), m.end("num"), v,
                  details={"relation": rel, "window": _rsi_window(m)}, needs_window=False)


def _rsi_state(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    before = text[max(0, m.start() - 30):m.start()]
    if re.search(r"\b(?:near|nearing|approaching|close\s+to|nearly|almost|toward|towards|not|"
                 r"no\s+longer|out\s+of|from)\s+(?:the\s+|an?\s+)?$", before, re.I):
        return None  # "near overbought territory" does not claim overbought
    state = m.group("state").lower()
    return _Found("rsi_state", "rsi", m.start(), m.end(), m.start(), m.end(),
                  70.0 if state == "overbought" else 30.0,
                  details={"relation": "above" if state == "overbought" else "below",
                           "window": 14, "state": state}, needs_window=False)


def _rsi_pattern(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found:
    pat = re.sub(r"\s+", " ", (m.group("pat") or m.group("pat2")).lower())
    return _Found("rsi_pattern", "rsi", m.start(), m.end(), m.start(), m.end(), pat,
                  details={"pattern": pat, "window": _rsi_window(m)}, needs_window=False)


# moving averages -----------------------------------------------------------------------
_NUMD = r"\d{1,3}(?:-|\s)?(?:day|week)?"
_NUMD_LAST = r"\d{1,3}(?:-|\s)?(?:day|week|d|dma)s?\b"
_MA_LIST = (rf"(?P<mas>(?:{_NUMD}(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|&|or)\s+))*"
            rf"{_NUMD_LAST})(?!\s*(?:high|low|range|return|rally|decline|gain|loss|window|"
            rf"period|stretch|streak|span|run)s?\b)")
_MA_TYPE = (r"(?P<mtype>\s*(?:simple\s+|exponential\s+)?(?:moving[-\s])?averages?|\s*(?:SMA|EMA|MA|"
            r"DMA)s?\b|\s*(?:moving\s+)?(?:average\s+)?lines?)?")
_DIR_ADJ = (r"(?:(?P<adj>rising|falling|declining|flattening|flat|upward[-\s]sloping|"
            r"downward[-\s]sloping)\s+)?")
_MA_POS = _rx(rf"""
    (?:\b(?P<verb>slipped|slips|slipping|fell|falls|falling|dropped|drops|broke|breaks|breaking|
    sank|sinks|moved|moves|is|was|are|were|trades|traded|trading|closed|closes|closing|
    remains|remained|stays|stayed|held|holds|holding|rose|rises|climbed|climbs|pushed|
    crossed|crosses|back|sits|sat|sitting|finished|ended|still|dipped|dips|slid|tumbled|
    plunged|rallied|jumped|surged|bounced|rebounded|dropping|stuck|languishing|hovering|
    now|firmly|comfortably|decisively|well|just|remain|stay|sit|trade|hold|hovers|
    hover|hovered)\s+)?(?:(?:back|firmly|well|just|decisively|comfortably|further|now|also|again|
    both|solidly|clearly|narrowly|slightly)\s+)*
    \b(?P<side>below|above|under|over|beneath|beyond)\s+
    (?:both\s+|all\s+(?:three|four|two|of)\s+|each\s+of\s+)?(?:its|their|the|a|an|his|her)\s+
    (?:key\s+|closely\s+watched\s+|widely\s+watched\s+|long-term\s+|short-term\s+)?{_DIR_ADJ}{_MA_LIST}{_MA_TYPE}""")
_MA_VERB = _rx(rf"""
    \b(?P<verb>reclaimed|reclaims|regained|regains|recaptured|recaptures|retook|retakes|
    lost|loses|breached|breaches|undercut|undercuts|pierced|pierces|held|holds|defended|
    defends)\s+(?:its|their|the)\s+(?:key\s+)?{_DIR_ADJ}{_MA_LIST}{_MA_TYPE}""")
_MA_DIR = _rx(rf"""
    (?:\b(?:its|their|the)|['\u2019]s)\s+{_MA_LIST}{_MA_TYPE}\s+(?:(?:is|are|has|have|now|still|started|
    begun|begin|been|was|were|itself|also|already|just|finally)\s+)*
    (?P<dir>rising|falling|declining|turning\s+(?:up|down|higher|lower)|
    turned\s+(?:up|down|higher|lower)|sloping\s+(?:up|down)(?:ward|wards)?|
    slopes?\s+(?:up|down)(?:ward|wards)?|pointing\s+(?:up|down|higher|lower)|rolling\s+over|
    rolled\s+over|flattening|flattened|flat|trending\s+(?:up|down|higher|lower)|
    heading\s+(?:up|down|higher|lower)|curling\s+(?:up|down|higher|lower))""")


def _ma_windows(text: str) -> list[int] | None:
    if not re.search(r"(?:day|d|dma|week)\b", text, re.I):
        return None
    weeks = "week" in text.lower()
    nums = [int(x) for x in re.findall(r"\d{1,3}", text)]
    if not nums or any(n < 2 or n > 400 for n in nums):
        return None
    return [n * 5 for n in nums] if weeks else nums


def _ma_kind(m: re.Match[str]) -> str:
    t = (m.groupdict().get("mtype") or "").lower()
    return "ema" if "exponential" in t or "ema" in t else "sma"


def _direction_word(word: str) -> str:
    w = word.lower()
    if any(x in w for x in ("rolling over", "rolled over", "turning down", "turned down",
                            "turning lower", "turned lower", "curling down", "curling lower")):
        return "turning down"
    if any(x in w for x in ("turning up", "turned up", "turning higher", "turned higher",
                            "curling up", "curling higher")):
        return "turning up"
    if "flat" in w:
        return "flat"
    if any(x in w for x in ("rising", "up", "higher")):
        return "rising"
    return "falling"


def _ma_pos(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    windows = _ma_windows(m.group("mas"))
    if windows is None:
        return None
    side = "above" if m.group("side").lower() in ("above", "over", "beyond") else "below"
    stated: dict = {"position": {str(w): side for w in windows}}
    adj = m.groupdict().get("adj")
    if adj:
        stated["direction"] = {str(w): _direction_word(adj) for w in windows}
    return _Found("ma_position", "moving_average", m.start(), m.end(), m.start("mas"),
                  m.end("mas"), stated, details={"ma": _ma_kind(m), "verb": m.group("verb") or ""},
                  needs_window=False)


def _ma_verb(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    windows = _ma_windows(m.group("mas"))
    if windows is None:
        return None
    verb = m.group("verb").lower()
    side = "below" if verb.startswith(("lost", "lose", "breach", "undercut", "pierce")) else "above"
    stated: dict = {"position": {str(w): side for w in windows}}
    adj = m.groupdict().get("adj")
    if adj:
        stated["direction"] = {str(w): _direction_word(adj) for w in windows}
    return _Found("ma_verb", "moving_average", m.start(), m.end(), m.start("mas"), m.end("mas"),
                  stated, details={"ma": _ma_kind(m), "verb": verb}, needs_window=False)


def _ma_dir(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    windows = _ma_windows(m.group("mas"))
    if windows is None:
        return None
    stated = {"direction": {str(w): _direction_word(m.group("dir")) for w in windows}}
    return _Found("ma_direction", "moving_average", m.start(), m.end(), m.start("mas"),
                  m.end("mas"), stated, details={"ma": _ma_kind(m)}, needs_window=False)


# extremes ------------------------------------------------------------------------------
_EXT_N = (r"(?P<n>\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
          r"eighteen|twenty-four|multi)")
_EXTREME = _rx(rf"""
    (?:(?P<new>new|fresh|another)\s+)?{_EXT_N}[-\s](?P<unit>month|week|year|day|session)s?
    \s+(?P<side>low|high|lows|highs|closing\s+low|closing\s+high)\b""")
_RECORD = _rx(r"""\b(?:a|an|at|new|fresh|another)\s+(?:(?:new|fresh)\s+)?(?:record|all-time)\s+
    (?:closing\s+)?(?P<side>high|low|highs|lows)\b|\b(?:a\s+)?(?:new|fresh)\s+
    (?P<side2>highs?|lows?)\b""")
_SINCE_EXT = _rx(rf"""
    \b(?P<side>lowest|highest|weakest|strongest|best|worst)\b
    (?:\s+(?:level|levels|close|reading|point|showing|relative\s+performance|relative\s+strength|
    finish|mark|relative\s+level))?(?:\s+(?:relative\s+to|versus|vs\.?|against|compared\s+(?:with|to))\s+
    (?P<obj>[^,;]{{1,60}}?))?\s+(?:since|in\s+(?:more\s+than\s+|over\s+|nearly\s+)?)\s*
    (?:(?P<early>early|mid|late)[-\s]+)?
    (?:(?P<mon>{_MONTH_NAMES})\.?(?:\s+(?P<day>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?)?(?:,?\s+(?P<year>(?:19|20)\d\d))?
    |(?P<year2>(?:19|20)\d\d)\b
    |(?P<cnt>\d{{1,3}}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+
     (?P<cunit>months?|weeks?|years?))""")
_RELATION = re.compile(r"\b(?:relative\s+to|versus|vs\.?|against|compared\s+(?:with|to)|over|"
                       r"in\s+relation\s+to|measured\s+against)\s+(?:the\s+)?", re.I)
_RATIO_WORD = re.compile(r"\bratio\b|/|\brelative\s+strength\b|\bRS\s+line\b", re.I)


def _ext_rows(n: int | None, unit: str) -> int | None:
    if n is None:
        return None
    u = unit.lower()
    if u.startswith("week"):
        return 252 if n == 52 else n * 5
    if u.startswith("month"):
        return n * 21
    if u.startswith("year"):
        return n * 252
    return n


_COUNTED = re.compile(r"\s*(?:\w+\s+)?(?:outnumber\w*|exceed\w*|outpac\w*|"
                      r"versus|vs\.?|to\s+new\s+lows|and\s+new\s+lows|over\s+new\s+lows)",
                      re.I)
def _counted(text: str, m: re.Match[str]) -> bool:
    """Highs/lows counted over stocks ("new highs outnumber new lows", "the number of new
    lows"): a breadth statement, not an extreme of one instrument."""
    word = m.group(0).rstrip().lower()
    if not word.endswith("s"):
        return False
    before = text[max(0, m.start() - 30):m.start()]
    return bool(_COUNTED.match(text, m.end(), m.end() + 40) or re.search(
        r"\b(?:number|count|list|share|outnumber\w*|exceed\w*|than|versus|vs\.?|and)\s+"
        r"(?:of\s+)?(?:the\s+)?$", before, re.I))


_APPROACH = re.compile(r"\b(?:approaching|nearing|near|close\s+to|within\s+\S+\s+of|"
                       r"flirting\s+with|toward|towards|threatening)\s+(?:an?\s+|the\s+)?"
                       r"(?:(?:new|fresh)\s+)?$", re.I)
_REFERENCE = re.compile(r"\b(?:its|their|the|his|her|from|of|above|below|under|off)\s+$", re.I)


def _extreme(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    if _REFERENCE.search(text[max(0, m.start() - 8):m.start()]):
        return None  # "below its 52-week high" refers to the high, it does not claim one
    if _APPROACH.search(text[max(0, m.start() - 30):m.start()]):
        return None  # "approaching a new 4-month low" has not happened
    if _counted(text, m):
        return None  # "new 52-week highs outnumber new lows": breadth, not an extreme
    raw_n = m.group("n").lower()
    if raw_n == "multi":
        n = None
    else:
        n = parse_count(raw_n) if not raw_n.isdigit() else int(raw_n)
        if raw_n == "twenty-four":
            n = 24
    if n is None:
        return _Found("extreme", "extreme", m.start(), m.end(), m.start(), m.end(), None,
                      details={"side": "low", "vague": f"{raw_n}-{m.group('unit')}"},
                      needs_window=False)
    side = "low" if "low" in m.group("side").lower() else "high"
    rows = _ext_rows(n, m.group("unit"))
    details: dict = {"side": side, "rows": rows, "new": bool(m.group("new"))}
    end = m.end()
    first = _FIRST_SINCE_TAIL.match(text, m.end())
    if first is not None and re.search(r"\bfirst\s+$", text[max(0, m.start() - 8):m.start()],
                                       re.I):
        # "its first 4-month low since March": and the N-row low before it was in March.
        from ..extract import MONTHS

        g = first.groupdict()
        details["first_since"] = {
            "month": MONTHS[g["mon"].rstrip(".").lower()] if g.get("mon") else None,
            "year": int(g["year"] or g["year2"]) if (g["year"] or g["year2"]) else None,
            "day": None, "part": (g.get("part") or "").lower() or None}
        end = first.end()
    return _Found("extreme", "extreme", m.start(), end, m.start(), m.end(),
                  {"side": side, "rows": rows, "span": f"{n}-{m.group('unit').lower()}"},
                  details=details, needs_window=False)


_FIRST_SINCE_TAIL = re.compile(
    rf"\s+since\s+(?:(?P<part>early|mid|late)[-\s]+)?(?:(?P<mon>{_MONTH_NAMES})\.?"
    rf"(?:\s+(?P<year>(?:19|20)\d\d))?|(?P<year2>(?:19|20)\d\d))\b", re.I)


def _record(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    if _APPROACH.search(text[max(0, m.start() - 30):m.start() + 2]):
        return None  # "approaching a new all-time high" has not happened
    if _counted(text, m):
        return None  # "new highs outnumber new lows" counts stocks: breadth, not an extreme
    side_word = (m.group("side") or m.group("side2")).lower()
    side = "low" if side_word.startswith("low") else "high"
    return _Found("extreme_record", "extreme", m.start(), m.end(), m.start(), m.end(),
                  {"side": side, "rows": None, "span": "all history"},
                  details={"side": side, "rows": None}, needs_window=False)


#: "the best two-week stretch since 2020", "its worst week since March": an extreme of
#: the rolling N-session return.
_STRETCH = _rx(rf"""\b(?P<side>best|worst|strongest|weakest|biggest)\s+
    (?:(?P<n>\d{{1,2}}|two|three|four|five|six|seven|eight|nine|ten|a|one)[-\s])?
    (?P<unit>day|session|week|month)(?:s)?(?:\s+(?:stretch|run|span|period|gain|rally|
    performance|showing|return|decline|drop|stretches))?\s+since\s+
    (?:(?P<early>early|mid|late)[-\s]+)?(?:(?P<mon>{_MONTH_NAMES})\.?(?:,?\s+
    (?P<year>(?:19|20)\d\d))?|(?P<year2>(?:19|20)\d\d))\b""")


#: Timing: "Bitcoin peaked first", "Nvidia bottomed a month before Tesla", "the Dow
#: topped two weeks after the S&P 500".
_SEQUENCE = _rx(r"""\b(?P<verb>peaked|topped(?:\s+out)?|bottomed(?:\s+out)?|troughed|
    (?:hit|made|set)\s+(?:its|their)\s+(?P<what>high|peak|top|low|bottom))\s+
    (?:(?P<n>\d{1,2}|a|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple\s+of)\s+
    (?P<unit>sessions?|trading\s+days?|days?|weeks?|months?)\s+)?
    (?P<rel>first|before|ahead\s+of|earlier\s+than|after|later\s+than)\b""")


def _sequence(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    verb = m.group("verb").lower()
    low = "bottom" in verb or "trough" in verb or (m.group("what") or "") in ("low", "bottom")
    rel = m.group("rel").lower()
    first = rel in ("first", "before", "ahead of", "earlier than")
    gap = None
    if m.group("n"):
        from .dates import UNIT_ROWS, _unit

        n = parse_count(m.group("n"))
        if n is None:
            return None
        gap = n * UNIT_ROWS[_unit(m.group("unit"))]
    f = _Found("sequence", "sequence", m.start(), m.end(), m.start(), m.end(),
               {"extreme": "low" if low else "high", "first": first, "gap_rows": gap},
               details={"side": "low" if low else "high", "first": first, "gap_rows": gap},
               needs_window=False)
    # The instrument it is compared with: the name after "before/after", or (for
    # "first") the next name in the sentence ("... weeks before the chip stocks topped").
    after = [x for x in mentions if x.start >= m.end()]
    if after:
        f.objects = [after[0]]
        f.end = max(f.end, after[0].end) if rel != "first" else f.end
    return f


#: "the first close below the 200-day since April", "its first finish above the 50-day
#: moving average since March 3".
_FIRST_SINCE = _rx(rf"""\bfirst\s+(?:close|finish|settle|time|session|daily\s+close)\s+
    (?:(?:of\s+\w+\s+)?(?:closing\s+)?)?(?P<side>below|above|under|beneath|over)\s+
    (?:its|the|their|a)\s+(?P<n>\d{{1,3}})[-\s]?(?:day|d|dma|DMA)\b
    (?:\s+(?:simple\s+)?(?:moving[-\s])?average|\s+(?:SMA|MA|line|trend\s*line))?\s+since\s+
    (?:(?P<early>early|mid|late)[-\s]+)?(?:(?P<mon>{_MONTH_NAMES})\.?(?:\s+(?P<day>\d{{1,2}})
    (?!\d)(?:st|nd|rd|th)?)?(?:,?\s+(?P<year>(?:19|20)\d\d))?|(?P<year2>(?:19|20)\d\d))\b""")


def _first_since(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    f = _since_ext(m, text, mentions)
    if f is None:
        return None
    side = "below" if m.group("side").lower() in ("below", "under", "beneath") else "above"
    n = int(m.group("n"))
    since = f.details["since"]
    return _Found("first_since", "moving_average", m.start(), m.end(), m.start(), m.end(),
                  {"first_since": {str(n): side}, "since": _since_label(since)},
                  details={"first_since": {"n": n, "side": side}, "since": since},
                  needs_window=False)


def _stretch(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    n = parse_count(m.group("n")) if m.group("n") else 1
    if n is None:
        return None
    rows = n * {"day": 1, "session": 1, "week": 5, "month": 21}[m.group("unit").lower()]
    f = _since_ext(m, text, mentions)
    if f is None:
        return None
    side = "low" if m.group("side").lower() in ("worst", "weakest") else "high"
    f.rule = "stretch_since"
    stated = dict(f.stated) if isinstance(f.stated, dict) else {}
    f.stated = dict(stated, side=side, stretch=f"{n}-{m.group('unit').lower()}")
    f.details.update(side=side, stretch_rows=rows)
    return f


def _since_ext(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    word = m.group("side").lower()
    side = "low" if word in ("lowest", "weakest", "worst") else "high"
    g = m.groupdict()
    if g.get("cnt") and g.get("cunit"):
        n = parse_count(g["cnt"])
        rows = _ext_rows(n, g["cunit"])
        return _Found("extreme_in", "extreme", m.start(), m.end(), m.start(), m.end(),
                      {"side": side, "rows": rows, "span": f"{n}-{g['cunit'].rstrip('s')}"},
                      details={"side": side, "rows": rows}, needs_window=False)
    since: dict = {"side": side}
    if g.get("mon"):
        from ..extract import MONTHS

        since["month"] = MONTHS[g["mon"].rstrip(".").lower()]
        since["year"] = int(g["year"]) if g.get("year") else None
        since["day"] = int(g["day"]) if g.get("day") else None
    else:
        since["month"] = None
        since["year"] = int(g["year2"])
        since["day"] = None
    if g.get("early"):
        since["part"] = g["early"].lower()
    return _Found("extreme_since", "extreme", m.start(), m.end(), m.start(), m.end(),
                  {"side": side, "since": _since_label(since)},
                  details={"side": side, "since": since}, needs_window=False)


def _since_label(since: dict) -> str:
    parts = []
    if since.get("part"):
        parts.append(since["part"])
    if since.get("month"):
        parts.append(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                      "Nov", "Dec"][since["month"] - 1])
    if since.get("day"):
        parts.append(str(since["day"]))
    if since.get("year"):
        parts.append(str(since["year"]))
    return " ".join(parts)


# outperformance ------------------------------------------------------------------------
_OUT_VERB = (r"(?P<verb>outperformed|outperforms|outperforming|outperform|beat|beats|beaten|"
             r"beating|outpaced|outpaces|outpacing|outpace|topped|tops|outrun|outran|outruns|"
             r"outgained|ahead\s+of|trailed|trails|trailing|trail|lagged|lags|lagging|lag|"
             r"underperformed|underperforms|underperforming|underperform|behind|"
             r"fell\s+behind|trails)")
_OUTPERF = _rx(rf"""\b{_OUT_VERB}\s+(?P<obj>[^;]{{1,80}}?)\s+by\s+{_QUAL}(?P<num>\d+(?:\.\d+)?)
    (?P<unit>{_PP_UNIT})""")
_OUTPERF_BARE = _rx(rf"""\b{_OUT_VERB}\s+(?P<obj>(?:the\s+)?[^;,.]{{1,60}}?)
    (?=\s*(?:,|;|\.|$|\s+(?:over|in|during|since|this|last|so|year|for|on|YTD|the\s+past)\b))""")
_GAP = _rx(rf"""\b(?:performance\s+)?(?P<what>gap|spread|difference|divergence)\s+
    (?:between\s+(?P<pair>[^;]{{3,80}}?)\s+)?
    (?:has\s+|had\s+|is\s+|was\s+|now\s+)*(?:of|at|to|widened\s+to|narrowed\s+to|grew\s+to|
    shrank\s+to|reached|hit|stands\s+at|stood\s+at|is|was|of\s+about|of\s+nearly)\s+
    {_QUAL}(?P<num>\d+(?:\.\d+)?)(?P<unit>{_PP_UNIT})""")
def _out_direction(verb: str) -> int:
    v = verb.lower()
    if v.startswith(("trail", "lag", "underperform", "behind", "fell behind")):
        return -1
    return 1


def _pp_value(num: str, unit: str) -> tuple[float, str]:
    u = unit.strip().lower()
    v = float(num)
    if "basis" in u or u.startswith("bp"):
        return v / 10000.0, "bp"
    if ("%" in u or "percent" in u) and "point" not in u:
        return v / 100.0, "%"
    return v / 100.0, "pp"


_OBJ_BACKREF = re.compile(r"(?:it|them|that|the\s+(?:index|benchmark|market|gauge))", re.I)


def _outperf(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    objs = _mentions_in(mentions, m.start("obj"), m.end("obj"))
    backref = not objs and _OBJ_BACKREF.fullmatch(m.group("obj").strip())
    if not objs and not backref:
        return None
    value, unit = _pp_value(m.group("num"), m.group("unit"))
    d = _out_direction(m.group("verb"))
    details: dict = {"unit": unit, "verb": m.group("verb")}
    if backref:
        # "outperformed it by 4 points": the object is the subject named before.
        details["object_backref"] = m.group("obj").strip()
    return _Found("outperformance", "outperformance", m.start(), m.end(), m.start("num"),
                  m.end("num"), value * d, parse_qualifier(m.group("q")), objects=objs[:1],
                  details=details)


#: "4 points more than the S&P 500", "3 percentage points better than value".
_POINTS_THAN = _rx(rf"""\b{_QUAL}(?P<num>\d+(?:\.\d+)?)(?P<unit>\s+percentage[-\s]points?|
    \s?pp|\s+points?)\s+(?P<dir>more|better|less|worse|fewer)\s+than\s+
    (?P<obj>(?:the\s+)?[^;,.]{{1,60}}?)(?=[;,.]|$|\s+(?:in|over|this|last|since|so|during|for|
    year|YTD)\b)""")


def _points_than(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    objs = _mentions_in(mentions, m.start("obj"), m.end("obj"))
    if not objs:
        return None
    value, unit = _pp_value(m.group("num"), m.group("unit"))
    d = 1 if m.group("dir").lower() in ("more", "better") else -1
    return _Found("points_than", "outperformance", m.start(), m.end(), m.start("num"),
                  m.end("num"), value * d, parse_qualifier(m.group("q")), objects=objs[:1],
                  details={"unit": unit, "verb": f"{m.group('dir')} than"})


def _outperf_bare(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    objs = _mentions_in(mentions, m.start("obj"), m.end("obj"))
    if not objs:
        return None
    d = _out_direction(m.group("verb"))
    return _Found("outperformance_sign", "outperformance", m.start(), m.end(), m.start("verb"),
                  m.end("verb"), "outperformed" if d > 0 else "underperformed",
                  objects=objs[:1], details={"verb": m.group("verb"), "sign_only": True})


def _gap(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    value, unit = _pp_value(m.group("num"), m.group("unit"))
    if m.group("pair"):
        pair = _mentions_in(mentions, m.start("pair"), m.end("pair"))
    else:
        pair = [x for x in mentions if x.end <= m.start()][-2:]
    if len(pair) < 2:
        return None
    return _Found("gap", "outperformance", m.start(), m.end(), m.start("num"), m.end("num"),
                  value, parse_qualifier(m.group("q")), subject=pair[0], objects=[pair[1]],
                  details={"unit": unit, "absolute": True})


#: "Relative to the equal-weight index, the Nasdaq 100 underperformed by 3.5 points":
#: the benchmark named first, the subject after the comma.
_OUT_FRONT = _rx(rf"""\b(?:relative\s+to|compared\s+with|compared\s+to|against|versus|vs\.?)\s+
    (?P<obj>[^,;]{{1,60}}?),\s+(?P<subj>[^,;]{{1,60}}?)\s+(?:has\s+|have\s+)?{_OUT_VERB}
    \s+by\s+{_QUAL}(?P<num>\d+(?:\.\d+)?)(?P<unit>{_PP_UNIT})""")
#: "Health care's relative performance versus the S&P 500 over November: +9.1 points",
#: "value's lead over growth this month is about 6 points".
_REL_COLON = _rx(rf"""\b(?:relative\s+performance|performance)\s+(?:versus|vs\.?|against|
    relative\s+to|compared\s+with)\s+(?P<obj>[^:;]{{1,60}}?)\s*:\s*
    (?P<num>[+\-\u2212\u2013]?\d+(?:\.\d+)?)(?P<unit>{_PP_UNIT})""")
_LEAD_OVER = _rx(rf"""\b(?P<what>lead|edge|advantage|deficit)\s+(?:over|on|against|to)\s+
    (?P<obj>[^;,:]{{1,60}}?)\s+(?:(?:this|so\s+far|year|month|week|in|since)[^;,:]{{0,30}}?\s+)?
    (?:is|was|stands\s+at|stood\s+at|has\s+grown\s+to|widened\s+to|of)\s+
    {_QUAL}(?P<num>\d+(?:\.\d+)?)(?P<unit>{_PP_UNIT})""")


def _out_front(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    objs = _mentions_in(mentions, m.start("obj"), m.end("obj"))
    subj = _mentions_in(mentions, m.start("subj"), m.end("subj"))
    if not objs or not subj:
        return None
    value, unit = _pp_value(m.group("num"), m.group("unit"))
    return _Found("outperformance_front", "outperformance", m.start(), m.end(),
                  m.start("num"), m.end("num"), value * _out_direction(m.group("verb")),
                  parse_qualifier(m.group("q")), subject=subj[-1], objects=objs[:1],
                  details={"unit": unit, "verb": m.group("verb")})


def _rel_colon(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    objs = _mentions_in(mentions, m.start("obj"), m.end("obj"))
    if not objs:
        return None
    num = m.group("num").replace("\u2212", "-").replace("\u2013", "-")
    value, unit = _pp_value(num.lstrip("+-"), m.group("unit"))
    d = -1 if num.startswith("-") else 1
    return _Found("relative_colon", "outperformance", m.start(), m.end(), m.start("num"),
                  m.end("num"), value * d, None, objects=objs[:1],
                  details={"unit": unit, "verb": "relative performance"})


def _lead_over(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    objs = _mentions_in(mentions, m.start("obj"), m.end("obj"))
    if not objs:
        return None
    value, unit = _pp_value(m.group("num"), m.group("unit"))
    d = -1 if m.group("what").lower() == "deficit" else 1
    return _Found("lead_over", "outperformance", m.start(), m.end(), m.start("num"),
                  m.end("num"), value * d, parse_qualifier(m.group("q")), objects=objs[:1],
                  details={"unit": unit, "verb": m.group("what")})


#: "gold climbed 1% to extend its 2025 advance to 52%", "trimming its weekly loss to 1.2%":
#: the running total over the named period.
_RUNNING = _rx(rf"""\b(?:extend|extends|extended|extending|push|pushed|pushing|bring|brings|
    bringing|brought|lift|lifted|lifting|take|took|taking|cut|cutting|trim|trimmed|trimming|
    pare|pared|paring|narrow|narrowed|narrowing)\s+(?:its|their|the)\s+
    (?P<per>(?:19|20)\d\d|year-to-date|YTD|weekly|monthly|quarterly)\s+
    (?P<noun>gain|advance|rally|rise|increase|loss|decline|drop|slide|retreat)s?\s+
    to\s+{_QUAL}(?P<num>\d+(?:\.\d+)?)\s?%""")
_RUNNING_PERIOD = {"weekly": "this week", "monthly": "this month", "quarterly": "this quarter",
                   "year-to-date": "year to date", "ytd": "year to date"}


def _running(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    per = m.group("per").lower()
    phrase = f"in {per}" if per.isdigit() else _RUNNING_PERIOD[per]
    found = find_windows(phrase)
    if not found:
        return None
    spec = replace(found[0][0], text=m.group("per"))
    d = 1 if re.fullmatch(_UP_NOUN, m.group("noun").lower()) else -1
    return _Found("running_total", "return", m.start(), m.end(), m.start("num"), m.end("num"),
                  d * float(m.group("num")) / 100.0, parse_qualifier(m.group("q")),
                  window=spec, needs_window=False, details={"verb": m.group("noun")},
                  direction=d)


# drawdowns -----------------------------------------------------------------------------
_DD = _rx(rf"""
    (?:\b(?:{_DOWN})\s+(?:by\s+)?{_QUAL}(?P<num>{_NUM}){_PCT_UNIT}|
       \b{_QUAL.replace('?P<q>', '?P<q2>')}(?P<num2>{_NUM}){_PCT_UNIT}\s+
       (?:below|under|beneath|off|down\s+from|short\s+of))
    \s*(?:from\s+|off\s+|below\s+)?(?:its|their|the|a)\s+
    (?P<which>all-time|record|52-week|one-year|12-month|recent|
    (?:(?:early|mid|late)[-\s]+)?(?:{_MONTH_NAMES})|
    \d{{4}}|year-to-date|ytd|post-\w+)?\s*(?P<hl>high|highs|peak|peaks|top|record|
    record\s+high|record\s+close|high-water\s+mark)\b""")
_DD_STATE = _rx(r"""\b(?:in|into|entered|entering|enters|within|near|toward|towards)\s+
    (?:a\s+|an\s+|the\s+|its\s+)?(?P<state>bear[-\s]market|correction)(?:\s+territory)?\b""")


def _dd_rows(which: str | None) -> int | None:
    w = (which or "").lower()
    if w in ("all-time", "record"):
        return None
    return 252


def _drawdown(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    num = m.group("num") or m.group("num2")
    which = m.group("which")
    hl = m.group("hl").lower()
    fig = "num" if m.group("num") else "num2"
    stated = -abs(parse_number(num)) / 100.0
    qualifier = parse_qualifier(m.group("q") or m.group("q2"))
    vague = re.match(r"(early|mid|late)[-\s]+", which or "", re.I)
    month_word = which[vague.end():] if (which and vague) else which
    if which and (re.fullmatch(_MONTH_NAMES, month_word or "", re.I) or which.isdigit()):
        # "its January peak", "its 2022 high": the highest close of that month or year;
        # "its late-October high": of the 21st-31st (docs/text.md, periods).
        from ..extract import MONTHS

        if which.isdigit():
            spec = WindowSpec("peak", f"from its {which} {hl}", unit="year", year=int(which))
        else:
            spec = WindowSpec("peak", f"from its {which} {hl}", unit="month",
                              month=MONTHS[str(month_word).rstrip(".").lower()],
                              part=vague.group(1).lower() if vague else None)
        return _Found("drawdown", "drawdown", m.start(), m.end(), m.start(fig), m.end(fig),
                      stated, qualifier, window=spec, needs_window=False)
    rows = None if ("record" in hl or (which or "").lower() in ("all-time", "record")) \
        else _dd_rows(which)
    spec = WindowSpec("peak", f"from its {which + ' ' if which else ''}{hl}", rows=rows)
    return _Found("drawdown", "drawdown", m.start(), m.end(), m.start(fig), m.end(fig),
                  stated, qualifier, window=spec, needs_window=False)


#: "has been cut in half from its December high", "halved from its peak": a fall of
#: about 50% from that high.
_DD_HALF = _rx(rf"""\b(?:(?:been\s+)?(?:cut|sliced|chopped)\s+in\s+half|halved|
    (?:down|off|lower)\s+(?:about\s+|roughly\s+|almost\s+|nearly\s+|more\s+than\s+)?
    (?P<frac>a\s+third|a\s+quarter|a\s+fifth|half|two[-\s]thirds))\s+
    (?:from|since|off)\s+(?:its|their|the)\s+
    (?P<which>all-time|record|52-week|(?:(?:early|mid|late)[-\s]+)?(?:{_MONTH_NAMES})|\d{{4}})?
    \s*(?P<hl>high|highs|peak|peaks|top|record)\b""")


def _dd_half(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    which = m.group("which")
    hl = m.group("hl").lower()
    vague = re.match(r"(early|mid|late)[-\s]+", which or "", re.I)
    month_word = which[vague.end():] if (which and vague) else which
    if which and re.fullmatch(_MONTH_NAMES, month_word or "", re.I):
        from ..extract import MONTHS

        spec = WindowSpec("peak", f"from its {which} {hl}", unit="month",
                          month=MONTHS[str(month_word).rstrip(".").lower()],
                          part=vague.group(1).lower() if vague else None)
    elif which and which.isdigit():
        spec = WindowSpec("peak", f"from its {which} {hl}", unit="year", year=int(which))
    else:
        rows = None if ("record" in hl or (which or "").lower() in ("all-time", "record")) \
            else _dd_rows(which)
        spec = WindowSpec("peak", f"from its {which + ' ' if which else ''}{hl}", rows=rows)
    # "cut in half", "down a third from its peak": a fraction written in words is "about".
    frac = re.sub(r"[-\s]+", " ", (m.group("frac") or "half").lower())
    value = {"half": 0.5, "a third": 1 / 3, "a quarter": 0.25, "a fifth": 0.2,
             "two thirds": 2 / 3}[frac]
    return _Found("drawdown_half", "drawdown", m.start(), m.end(), m.start(), m.end(), -value,
                  "about", window=spec, needs_window=False)


def _dd_state(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found:
    state = re.sub(r"[-\s]+", " ", m.group("state").lower())
    stated = -0.20 if state.startswith("bear") else -0.10
    return _Found("drawdown_state", "drawdown", m.start(), m.end(), m.start(), m.end(), stated,
                  "over", window=WindowSpec("peak", "from its 52-week high", rows=252),
                  details={"state": state}, needs_window=False)


# ranges and levels ---------------------------------------------------------------------
_LVL = r"\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?[kK]\b|\s+thousand\b)?"
_RANGE = _rx(rf"""\b(?:between|in\s+(?:a|the)\s+range\s+of|range\s+of|ranged\s+from|
    range-bound\s+between|trading\s+range\s+of|from)\s+(?P<lo>{_LVL})(?P<pct1>%)?\s*(?:and|to|-|\u2013)\s*(?P<hi>{_LVL})(?P<pct2>%)?
    |\bin\s+(?:a|the|an)\s+(?P<lo2>{_LVL})(?P<pct3>%)?\s*(?:-|\u2013|to)\s*(?P<hi2>{_LVL})(?P<pct4>%)?\s+range""")
_LEVEL = _rx(rf"""\b(?P<verb>testing|tests|tested|test\s+of|retesting|near|nearing|around|at|to|
    above|below|under|over|through|toward|towards|hovering\s+(?:around|near|at)|hovers\s+(?:around|near|at)|
    sits\s+at|sat\s+at|stands\s+at|stood\s+at|trading\s+at|trades\s+at|traded\s+at|closed\s+at|
    closes\s+at|ended\s+at|finished\s+at|settled\s+at|topped|tops|crossed|breached|broke\s+above|
    broke\s+below|reclaimed|hit|hits|touched|reached|approaching|approached|surpassed|
    (?:support|resistance|a\s+floor|a\s+ceiling)\s+(?:at|near|around))\s+
    (?:the\s+)?(?P<val>{_LVL})(?P<pct>%|\s+percent\b)?
    (?!\s*(?:-|\s)?(?:day|week|month|year|session|points?|pp|bps?|basis|times|x\b|stocks|
    members|companies|%|of\b|/))(?!\d|,\d)""")


def _level_value(text: str) -> float:
    return parse_number(text.replace(" ", ""))


def _looks_like_year(text: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d", text.strip()))


def _range(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    lo = m.group("lo") or m.group("lo2")
    hi = m.group("hi") or m.group("hi2")
    pct = any(m.group(g) for g in ("pct1", "pct2", "pct3", "pct4"))
    if not pct and (_looks_like_year(lo) or _looks_like_year(hi)):
        return None
    a, b = sorted((_level_value(lo), _level_value(hi)))
    return _Found("range", "range", m.start(), m.end(), m.start(), m.end(),
                  {"low": a, "high": b}, details={"percent": pct}, needs_window=False)


def _level(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    val = m.group("val")
    pct = bool(m.group("pct"))
    if not pct and not val.startswith("$") and "," not in val and _looks_like_year(val):
        return None
    before = text[max(0, m.start() - 30):m.start()]
    if re.search(r"RSI|relative\s+strength\s+index", before, re.I):
        return None
    verb = re.sub(r"\s+", " ", m.group("verb").lower())
    if pct and verb != "to" and re.search(rf"\b(?:{_UP}|{_DOWN})\s*(?:by\s+)?$", before, re.I):
        return None  # "surged over 3%" is a move, not a level
    if verb in ("above", "over", "topped", "tops", "surpassed", "broke above", "crossed",
                "reclaimed"):
        rel = "above"
    elif verb in ("below", "under", "breached", "broke below"):
        rel = "below"
    elif verb in ("testing", "tests", "tested", "test of", "retesting", "toward", "towards",
                  "approaching", "approached", "nearing") or verb.startswith(
                      ("support", "resistance", "a floor", "a ceiling", "hover")):
        rel = "testing"
    else:
        rel = "at"
    if verb == "to":
        prev = text[max(0, m.start() - 25):m.start()].lower()
        if not re.search(r"(?:rose|fell|climbed|dropped|slid|jumped|surged|sank|rallied|"
                         r"tumbled|plunged|declined|increased|decreased|eased|moved|"
                         r"retreated|rebounded|advanced|slipped|fallen|risen|dipped|"
                         r"spiked|edged\s+up|edged\s+down|higher|lower|back|up|down)\s*$", prev):
            return None
    return _Found("level", "level", m.start(), m.end(), m.start("val"), m.end(), _level_value(val),
                  details={"relation": rel, "percent": pct, "verb": verb}, needs_window=False)


# moves (returns, one-day moves, declines) ----------------------------------------------
_MOVE_VERB = _rx(rf"""\b(?P<verb>{_UP}|{_DOWN})\s+(?:by\s+)?
    (?:(?:more\s+than\s+|nearly\s+|about\s+|almost\s+)?\d{{1,3}}(?:,\d{{3}})*(?:\.\d+)?\s+
    points?,?\s+or\s+)?{_QUAL}(?P<num>{_NUM}){_PCT_UNIT}
    (?!\s*(?:of|below|under|from\s+(?:its|the)\s+(?:high|peak|record))\b)""")
_MOVE_BP = _rx(rf"""\b(?P<verb>{_UP}|{_DOWN})\s+(?:by\s+)?{_QUAL}(?P<num>\d+(?:\.\d+)?)\s*
    (?:basis\s+points?|bps?|bp)\b""")
_MOVE_DIR = _rx(rf"""\b{_QUAL}(?P<num>{_NUM}){_PCT_UNIT}\s+
    (?P<dir>higher|lower|stronger|weaker)\b""")
#: "ended 2025 roughly 40 basis points lower": the direction after the figure.
_MOVE_BP_DIR = _rx(rf"""\b{_QUAL}(?P<num>\d+(?:\.\d+)?)\s*(?:basis\s+points?|bps?|bp)\s+
    (?P<dir>higher|lower)\b""")
_MOVE_NOUN = _rx(rf"""\b(?:an?|its|their|the|his|her|\u2019s|'s)\s+{_QUAL}(?P<num>{_NUM})
    (?:{_PCT_UNIT}|-percent|-per-cent)(?:\s+|-)(?:(?:one-day|single-day|daily|weekly|monthly|
    quarterly|two-week|intraday|year-to-date|ytd|annual|overnight|\w+-day)\s+)?
    (?P<noun>{_UP_NOUN}|{_DOWN_NOUN})s?\b(?:\s+(?:for|in|from|by)\s+)?""")
_MOVE_VS = _rx(rf"""\b(?:versus|vs\.?|compared\s+(?:with|to)|against|while|and|but)\s+
    (?:an?\s+)?{_QUAL}(?P<num>{_NUM}){_PCT_UNIT}\s+(?:(?P<noun>{_UP_NOUN}|{_DOWN_NOUN})s?\s+)?
    (?:for|in|from|by)\s+""")

_MOVE_AND = _rx(rf"""\b(?:and|but)\s+(?:by\s+)?{_QUAL}(?P<num>{_NUM}){_PCT_UNIT}
    (?=\s+(?:year[-\s]to[-\s]date|YTD|this|over|in|for|since|last|on|so\s+far|the\s+past)\b)""")

#: Headline style: a signed figure right after the name ("NVDA +18.7% on Wednesday",
#: "Nvidia -3.2% WTD"): the sign is the direction.
_MOVE_SIGNED = _rx(r"""(?<![\w.,%])(?P<num>[+\-\u2212\u2013]\d+(?:\.\d+)?)\s?%""")
#: A verbless list after a move ("the S&P 500 lost 1.5%, the Nasdaq 100 1.0% and the
#: Russell 2000 1.7%"): each name with its own figure, the verb's direction and period.
_MOVE_ELIDED = _rx(rf"""(?:,\s*(?:and\s+|while\s+)?|\s+and\s+)(?:the\s+)?
    (?P<subj>[A-Z$][^,;%]{{1,40}}?)\s+{_QUAL}(?P<num>\d+(?:\.\d+)?){_PCT_UNIT}""")

_UP_SET = set(re.sub(r"\\s\+", " ", _UP).split("|"))


def _direction_of(verb: str) -> int:
    v = re.sub(r"\s+", " ", verb.lower())
    return 1 if v in _UP_SET else -1


def _move(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found:
    verb = m.group("verb")
    d = _direction_of(verb)
    return _Found("move", "return", m.start(), m.end(), m.start("num"), m.end("num"),
                  _signed(m.group("num"), d), parse_qualifier(m.group("q")),
                  details={"verb": verb}, direction=d)


def _move_bp(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found:
    d = _direction_of(m.group("verb"))
    return _Found("move_bp", "return", m.start(), m.end(), m.start("num"), m.end("num"),
                  abs(float(m.group("num"))) * d, parse_qualifier(m.group("q")),
                  details={"verb": m.group("verb"), "unit": "bp"}, direction=d)


def _move_bp_dir(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found:
    d = 1 if m.group("dir").lower() == "higher" else -1
    return _Found("move_bp", "return", m.start(), m.end(), m.start("num"), m.end("num"),
                  abs(float(m.group("num"))) * d, parse_qualifier(m.group("q")),
                  details={"verb": m.group("dir"), "unit": "bp"}, direction=d)


def _move_dir(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found:
    d = 1 if m.group("dir").lower() in ("higher", "stronger") else -1
    return _Found("move_dir", "return", m.start(), m.end(), m.start("num"), m.end("num"),
                  _signed(m.group("num"), d), parse_qualifier(m.group("q")),
                  details={"verb": m.group("dir")}, direction=d)


def _move_noun(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found:
    noun = m.group("noun").lower()
    d = 1 if re.fullmatch(_UP_NOUN, noun) else -1
    after = [x for x in mentions if x.start >= m.end() and x.start - m.end() <= 3]
    f = _Found("move_noun", "return", m.start(), m.end(), m.start("num"), m.end("num"),
               _signed(m.group("num"), d), parse_qualifier(m.group("q")),
               details={"verb": noun}, direction=d)
    if after and re.search(r"(?:for|in|from|by)\s*$", m.group(0), re.I):
        f.subject = after[0]
        f.subject_after = True
        f.end = after[0].end
    elif m.group(0)[:1] in ("'", "\u2019"):
        # "the cap-weighted index's 10% gain": the owner is the subject.
        owner = [x for x in mentions if x.end == m.start()]
        if owner:
            f.subject = owner[0]
    return f


_FRAC_VALUE = {"a third": 1 / 3, "one third": 1 / 3, "one-third": 1 / 3, "half": 0.5,
               "a quarter": 0.25, "one quarter": 0.25, "a fifth": 0.2, "a tenth": 0.1,
               "two thirds": 2 / 3, "two-thirds": 2 / 3}
_MOVE_FRAC = _rx(rf"""\b(?P<verb>{_DOWN}|{_UP}|shed|erased|wiped\s+out)\s+
    (?P<q>nearly|almost|about|roughly|more\s+than|over|around)?\s*
    (?P<frac>a\s+third|one[-\s]third|half|a\s+quarter|one\s+quarter|a\s+fifth|a\s+tenth|
    two[-\s]thirds)\s+of\s+(?:its|their)\s+(?:value|market\s+value)\b""")


_MOVE_MULT = _rx(r"""\b(?P<q>more\s+than\s+|nearly\s+|almost\s+|about\s+|roughly\s+)?
    (?P<verb>doubled|tripled|quadrupled|halved)\b""")
_MULT = {"doubled": 1.0, "tripled": 2.0, "quadrupled": 3.0, "halved": -0.5}


def _move_mult(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found:
    """"Bitcoin has more than doubled over the past year": a rise of 100%."""
    v = _MULT[m.group("verb").lower()]
    q = parse_qualifier((m.group("q") or "").strip()) or "about"
    return _Found("move_multiple", "return", m.start(), m.end(), m.start("verb"),
                  m.end("verb"), v, q, details={"verb": m.group("verb")},
                  direction=1 if v > 0 else -1)


def _move_frac(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found:
    """"Tesla has lost nearly a third of its value this year": a fall of 1/3."""
    d = _direction_of(m.group("verb"))
    frac = _FRAC_VALUE[re.sub(r"[-\s]+", " ", m.group("frac").lower()).replace(
        "one third", "a third")]
    q = parse_qualifier(m.group("q")) or "about"
    return _Found("move_fraction", "return", m.start(), m.end(), m.start("frac"),
                  m.end("frac"), frac * d, q, details={"verb": m.group("verb")},
                  direction=d)


def _move_vs(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    after = [x for x in mentions if x.start >= m.end() and x.start - m.end() <= 5]
    if not after:
        return None
    noun = (m.group("noun") or "").lower()
    d = 0
    if noun:
        d = 1 if re.fullmatch(_UP_NOUN, noun) else -1
    f = _Found("move_versus", "return", m.start(), after[0].end, m.start("num"), m.end("num"),
               m.group("num"), parse_qualifier(m.group("q")), subject=after[0],
               subject_after=True, details={"verb": noun or "versus"}, direction=d or None)
    return f


def _move_signed(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    # "QQQ +6.2%", "Energy (XLE) +14.2%": the name (with its ticker in brackets) owns it.
    owner = [x for x in mentions if 0 <= m.start() - x.end <= 12
             and re.fullmatch(r"\s*(?:\(\$?[A-Z][A-Z.\-]{0,5}\))?\s*:?\s*", text[x.end:m.start()])]
    if not owner:
        return None
    num = m.group("num").replace("\u2212", "-").replace("\u2013", "-")
    d = -1 if num.startswith("-") else 1
    return _Found("move_signed", "return", m.start(), m.end(), m.start("num"), m.end("num"),
                  _signed(num.lstrip("+-"), d), None, subject=owner[-1],
                  details={"verb": "+" if d > 0 else "-"}, direction=d)


def _move_elided(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    subj = [x for x in mentions if x.end == m.end("subj") and x.start >= m.start("subj")]
    if not subj:
        return None
    before = text[:m.start()]
    verb = None
    for v in re.finditer(rf"\b(?P<verb>{_UP}|{_DOWN})\s+(?:by\s+)?{_QUAL}\d", before, re.I):
        verb = v.group("verb")
    if verb is None:
        return None
    d = _direction_of(verb)
    return _Found("move_elided", "return", subj[0].start, m.end(), m.start("num"),
                  m.end("num"), _signed(m.group("num"), d), parse_qualifier(m.group("q")),
                  subject=subj[0], details={"verb": verb}, direction=d)


def _move_and(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    """"up 8% for the week and 13% year to date": the second figure, same subject and
    direction as the move before it."""
    if not re.search(rf"\b(?:{_UP}|{_DOWN})\b", text[:m.start()], re.I):
        return None
    return _Found("move_and", "return", m.start(), m.end(), m.start("num"), m.end("num"),
                  m.group("num"), parse_qualifier(m.group("q")), details={"verb": "and"})


# ranks and leadership ------------------------------------------------------------------
_GROUP = (r"(?P<grp>sectors?|sector\s+ETFs?|S&P\s+500\s+sectors?|"
          r"Mag(?:nificent)?[-\s]?(?:7|Seven)(?:\s+(?:stocks?|names?|members?|constituents?))?|"
          r"members?\s+of\s+the\s+Mag(?:nificent)?[-\s]?(?:7|Seven))")
_RANK = _rx(rf"""\b(?P<one>one\s+of\s+the\s+)?(?:the\s+)?(?:(?P<pos>best|worst|strongest|weakest|
    top|bottom)[-\s](?:performing\s+|performer\s+(?:among|in|of)\s+the\s+)?
    |(?P<pos2>biggest|largest)\s+(?P<gl>gainers?|losers?|decliners?)\s+(?:among|in|of)\s+
    (?:the\s+)?)(?:{_GROUP})\b""")
#: "Energy was the weakest of the 11 S&P 500 sectors", "technology was the strongest"
#: (the universe from the words, else from the subject).
_RANK_OF = _rx(rf"""\b(?:was|were|is|are|has\s+been|have\s+been|ended\s+as|finished\s+as)
    \s+the\s+(?P<pos>best|worst|strongest|weakest)(?:[-\s]performing)?
    (?:\s+(?:of|among)\s+(?:the\s+|all\s+)?(?:\d+\s+|eleven\s+|seven\s+)?(?:{_GROUP})
    |(?:\s+performers?)?(?=\s*(?:[,.;]|$|\s+(?:this|last|in|over|since|so|on|for|during)\b)))
    """)
_LEAD = _rx(r"""\b(?P<verb>led|leads|leading|lagged|lags|lagging|trailed|trails)\b
    (?!\s+by\b)(?=\s*(?:[,.;]|$|\s+(?:the\s+(?:market|pack|way|gains|losses|decline|declines|
    rally|sectors|group|field|charge|selloff|sell-off)|this|last|in|over|during|so|since|on|
    for|year)\b))""")
_ONLY = _rx(rf"""\b(?:the\s+)?only\s+(?:(?:one|member|name|stock|sector)\s+(?:of|in|among)\s+
    (?:the\s+)?)?(?:{_GROUP.replace('?P<grp>', '?P<grp>')})\s+
    (?:that\s+is\s+|that\s+was\s+|that's\s+|that\u2019s\s+|to\s+be\s+|that\s+)?
    (?:(?:still|now|currently)\s+)?
    (?P<dir>up|down|higher|lower|positive|negative|in\s+positive\s+territory|
    in\s+negative\s+territory|in\s+the\s+green|in\s+the\s+red|
    to\s+(?:rise|gain|advance|fall|decline|drop))\b""")


def _group_of(text: str | None) -> str | None:
    if not text:
        return None
    return "mag7" if re.search(r"mag", text, re.I) else "sectors"


def _rank(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    pos = (m.group("pos") or "").lower()
    if m.group("pos2"):
        pos = "best" if m.group("gl").lower().startswith("gain") else "worst"
    side = "best" if pos in ("best", "strongest", "top") else "worst"
    top = 3 if m.group("one") else 1
    return _Found("rank", "rank", m.start(), m.end(), m.start(), m.end(),
                  {"position": side, "top": top, "universe": _group_of(m.group("grp"))},
                  details={"universe": _group_of(m.group("grp"))})


def _rank_of(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    pos = m.group("pos").lower()
    side = "best" if pos in ("best", "strongest") else "worst"
    uni = _group_of(m.groupdict().get("grp"))
    return _Found("rank_of", "rank", m.start(), m.end(), m.start(), m.end(),
                  {"position": side, "top": 1, "universe": uni}, details={"universe": uni})


def _lead(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    side = "best" if m.group("verb").lower().startswith(("led", "lead")) else "worst"
    return _Found("lead", "rank", m.start(), m.end(), m.start(), m.end(),
                  {"position": side, "top": 1, "universe": None}, details={"universe": None})


def _only(m: re.Match[str], text: str, mentions: list[Mention]) -> _Found | None:
    d = m.group("dir").lower()
    d = d.removeprefix("to").strip()
    side = "only_up" if d in ("up", "higher", "positive", "rise", "gain", "advance") or \
        "positive" in d or "green" in d \
        else "only_down"
    return _Found("only", "rank", m.start(), m.end(), m.start(), m.end(),
                  {"position": side, "top": 1, "universe": _group_of(m.group("grp"))},
                  details={"universe": _group_of(m.group("grp"))})


RULES: tuple[Rule, ...] = (
    Rule("breadth", "breadth", _BREADTH1, _breadth),
    Rule("breadth_share", "breadth", _BREADTH2, _breadth),
    Rule("breadth_moves", "breadth", _BREADTH_UP, _breadth_up),
    Rule("breadth_elided", "breadth", _BREADTH_ELIDED, _breadth_elided),
    Rule("new_highs_lows", "breadth", _HILO, _hilo),
    Rule("participation", "breadth", _PARTICIPATION, _participation),
    Rule("rsi_pattern", "rsi", _RSI_PATTERN, _rsi_pattern),
    Rule("rsi_level", "rsi", _RSI_LEVEL, _rsi_level),
    Rule("rsi_state", "rsi", _RSI_STATE, _rsi_state),
    Rule("first_since", "moving_average", _FIRST_SINCE, _first_since),
    Rule("ma_position", "moving_average", _MA_POS, _ma_pos),
    Rule("ma_verb", "moving_average", _MA_VERB, _ma_verb),
    Rule("ma_direction", "moving_average", _MA_DIR, _ma_dir),
    Rule("extreme", "extreme", _EXTREME, _extreme),
    Rule("stretch_since", "extreme", _STRETCH, _stretch),
    Rule("sequence", "sequence", _SEQUENCE, _sequence),
    Rule("extreme_since", "extreme", _SINCE_EXT, _since_ext),
    Rule("running_total", "return", _RUNNING, _running),
    Rule("outperformance_front", "outperformance", _OUT_FRONT, _out_front),
    Rule("relative_colon", "outperformance", _REL_COLON, _rel_colon),
    Rule("lead_over", "outperformance", _LEAD_OVER, _lead_over),
    Rule("outperformance", "outperformance", _OUTPERF, _outperf),
    Rule("gap", "outperformance", _GAP, _gap),
    Rule("points_than", "outperformance", _POINTS_THAN, _points_than),
    Rule("drawdown", "drawdown", _DD, _drawdown),
    Rule("drawdown_half", "drawdown", _DD_HALF, _dd_half),
    Rule("drawdown_state", "drawdown", _DD_STATE, _dd_state),
    Rule("extreme_record", "extreme", _RECORD, _record),
    Rule("range", "range", _RANGE, _range),
    Rule("level", "level", _LEVEL, _level),
    Rule("move_elided", "return", _MOVE_ELIDED, _move_elided),
    Rule("move_noun", "return", _MOVE_NOUN, _move_noun),
    Rule("move_fraction", "return", _MOVE_FRAC, _move_frac),
    Rule("move_multiple", "return", _MOVE_MULT, _move_mult),
    Rule("move", "return", _MOVE_VERB, _move),
    Rule("move_bp", "return", _MOVE_BP, _move_bp),
    Rule("move_dir", "return", _MOVE_DIR, _move_dir),
    Rule("move_bp_dir", "return", _MOVE_BP_DIR, _move_bp_dir),
    Rule("move_versus", "return", _MOVE_VS, _move_vs),
    Rule("move_signed", "return", _MOVE_SIGNED, _move_signed),
    Rule("move_and", "return", _MOVE_AND, _move_and),
    Rule("outperformance_sign", "outperformance", _OUTPERF_BARE, _outperf_bare),
    Rule("rank", "rank", _RANK, _rank),
    Rule("only", "rank", _ONLY, _only),
    Rule("rank_of", "rank", _RANK_OF, _rank_of),
    Rule("lead", "rank", _LEAD, _lead),
)


# -- sentence-level assembly --------------------------------------------------------------

def _is_object(m: Mention, text: str) -> bool:
    return bool(_OBJECT_MARK.search(text[max(0, m.start - 25):m.start]))


_RELATIVE = re.compile(r",?\s+(?:which|who)\s+(?:has|have|had|is|was|were|are)?\s*", re.I)


#: A subject written as a category, right before the figure ("with the sector down").
_GENERIC_SUBJECT = re.compile(r"\bthe\s+(?:sector|industry|group)(?:\s+\S+)?\s*$", re.I)


def _subject_before(found: _Found, mentions: list[Mention], text: str,
                    used_objects: set[int], floor: int) -> Mention | None:
    # "kind to Tesla, which has rallied 61%": the name the relative clause hangs on.
    near = [m for m in mentions if m.end <= found.start and m.start not in used_objects]
    rel = _RELATIVE.match(text, near[-1].end) if near else None
    if rel is not None and rel.end() >= found.start - 40:
        return near[-1]
    generic = _GENERIC_SUBJECT.search(text, max(0, found.start - 30), found.start)
    if generic is not None:
        # "as oil prices slumped, with the sector down 9.2%": the sector written as the
        # subject is not the name before it unless that name is a sector (else no subject:
        # "cannot check" rather than oil's move).
        named = [m for m in near if m.end <= generic.start()]
        if not named or "sector" not in (named[-1].alias.represents or ""):
            return None
        return named[-1]
    cands = [m for m in mentions if m.end <= found.start and m.start not in used_objects
             and m.start >= floor]
    cands_all = [m for m in mentions if m.end <= found.start and m.start not in used_objects]
    for pool in (cands, cands_all):
        subj = [m for m in pool if not _is_object(m, text)]
        if subj:
            if pool is cands_all and floor and _unknown_clause_subject(text, floor, found.start,
                                                                       mentions):
                return None   # "Coinbase rose 13%, and MicroStrategy jumped 12%"
            return subj[-1]
    return None


_CLAUSE_HEAD = re.compile(r"[^,;]{0,30}?(?:,\s*(?:(?:and|but|while|whereas)\s+)?|;\s*|"
                          r"\s+(?:and|but|while|whereas)\s+)(?:shares\s+of\s+)?"
                          r"(?P<w>[A-Z][A-Za-z0-9&'.-]*)")
_NOT_NAMES = frozenset({"The", "It", "Its", "It's", "They", "Their", "This", "That", "These",
                        "Those", "Shares", "Stocks", "Both", "Each", "All", "Most", "Some",
                        "Meanwhile", "Still", "Even", "Only", "Also", "Then", "Yet", "So",
                        "A", "An", "And", "But", "While", "As", "I", "We", "He", "She"})


_RESPECTIVE_NEXT = re.compile(r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)[+\-\u2212]?"
                              r"(\d+(?:\.\d+)?)\s?%")


def _respective_figures(text: str, f: _Found, n: int) -> list[float] | None:
    """"A and B gained 1.4% and 2.4%, respectively": one figure per listed name, in order
    (None unless the sentence says "respectively" and gives exactly ``n`` figures)."""
    if n < 2 or not isinstance(f.stated, float) or \
            not re.search(r"\brespectively\b", text[f.fig_end:], re.I):
        return None
    values = [f.stated]
    unit = re.match(r"\s?%", text[f.fig_end:])
    pos = f.fig_end + (unit.end() if unit else 0)
    while len(values) < n:
        m = _RESPECTIVE_NEXT.match(text, pos)
        if m is None:
            return None
        sign = -1.0 if f.stated < 0 else 1.0
        values.append(sign * float(m.group(1)) / 100.0)
        pos = m.end()
    return values


_AS_IS = re.compile(r",?\s+(?:as|and\s+so)\s+(?:is|are|was|were|does|do|did|has|have)\s+"
                    r"(?:the\s+)?(?P<rest>[^,;.]{1,60}?)\s*(?=[,;.]|$)", re.I)


def _as_is_claims(text: str, claims: list[Claim], mentions: list[Mention]) -> list[Claim]:
    """"SPY is above its 200-day, as is the equal-weight RSP": the same claim, about the
    name after "as is" (only a claim without a figure of its own: a state)."""
    out: list[Claim] = []
    for m in _AS_IS.finditer(text):
        named = [x for x in mentions if m.start("rest") <= x.start and x.end <= m.end("rest")]
        before = [c for c in claims if c.end <= m.start() + 1 and c.instruments
                  and c.kind in ("moving_average", "extreme", "rsi")]
        if len({x.alias.ticker for x in named}) != 1 or not before:
            continue  # "the equal-weight RSP": two names, one instrument
        c = before[-1]
        a, b = _clean_span(text, c.start, named[-1].end)
        out.append(replace(c, quote=text[a:b], start=a, end=b,
                           instruments=(named[0].alias, *c.instruments[1:]),
                           names=(named[0].text, *c.names[1:]),
                           details=dict(c.details, elided_from=c.names[0])))
    return out


def _main_period(ctx: Context) -> tuple[WindowSpec, int] | None:
    """The period most claims of the paragraph used, when one did strictly more often
    than any other; else None (several periods: carrying one would be a guess)."""
    counts = sorted(ctx.para_claim_periods.values(), key=lambda t: -t[0])
    if not counts or (len(counts) > 1 and counts[0][0] == counts[1][0]):
        return None
    return counts[0][1], ctx.paragraph


def _unknown_clause_subject(text: str, floor: int, start: int, mentions: list[Mention]) -> bool:
    """The clause after the previous claim opens with a capitalised name the alias table
    does not know: that name, not an instrument further back, is its subject."""
    m = _CLAUSE_HEAD.match(text, floor, start)
    if m is None or m.group("w") in _NOT_NAMES:
        return False
    return not any(x.start <= m.start("w") < x.end for x in mentions)


def _pair_for_extreme(found: _Found, mentions: list[Mention], text: str
                      ) -> tuple[Mention | None, Mention | None]:
    """(numerator, denominator) of a ratio extreme; denominator None for a plain extreme."""
    # "A/B" written with a slash between two mentions.
    for a, b in zip(mentions, mentions[1:], strict=False):
        if b.start - a.end <= 3 and "/" in text[a.end:b.start]:
            return a, b
    # "the Mag 7 to equal-weight ratio", "the growth-to-value ratio".
    for a, b in zip(mentions, mentions[1:], strict=False):
        if re.fullmatch(r"\s*(?:-to-|\s+to\s+|\s+vs\.?\s+|\s+versus\s+)\s*(?:the\s+)?",
                        text[a.end:b.start], re.I) and \
                re.match(r"\s*(?:[-\s]weight(?:ed)?\s+)?(?:ratio|relative\s+strength|line)\b",
                         text[b.end:], re.I):
            return a, b
    m = re.search(r"ratio\s+of\s+(?:the\s+)?", text, re.I)
    if m:
        after = [x for x in mentions if x.start >= m.end()]
        if len(after) >= 2 and re.search(r"\b(?:to|and|over|versus|vs\.?)\b",
                                         text[after[0].end:after[1].start], re.I):
            return after[0], after[1]
    # The relation nearest the extreme phrase ("XMAG relative to MAGS made a 20-day low"
    # in a sentence that compares other pairs too).
    rels = sorted(_RELATION.finditer(text),
                  key=lambda r: (r.start() > found.start, abs(found.start - r.end())))
    for rel in rels:
        after = [x for x in mentions if 0 <= x.start - rel.end() <= 2]
        if after:
            den = after[0]
            before = [x for x in mentions if x.end <= rel.start() and x is not den]
            num = [x for x in before if not _is_object(x, text)]
            if num:
                return num[-1], den
            later = [x for x in mentions if x.start > den.end]
            if later:
                return later[0], den
    return None, None


def _window_for(found: _Found, windows: list[tuple[WindowSpec, int, int]], next_start: int,
                subject_start: int, text: str = "") -> WindowSpec | None:
    # "Friday's 2.6% drop", "this week's 5% rally": the period owns the figure.
    owner = [w for w, s, e in windows if e <= found.fig_start
             and text[s:e].endswith(("'s", "\u2019s"))
             and not text[e:found.fig_start].strip(" +-\u2212")]
    if owner:
        return owner[-1]
    after = [w for w, s, e in windows if s >= found.fig_end - 1 and s < next_start
             and not _OTHER_SUBJECT_CLAUSE.search(text[found.fig_end:s])]
    if after:
        return after[0]
    inside = [w for w, s, e in windows if found.start <= s < found.end]
    if inside:
        return inside[0]
    before = [w for w, s, e in windows if e <= subject_start]
    if before:
        return before[-1]
    if len(windows) == 1:
        w, s, e = windows[0]
        between = text[e:found.fig_start] if e <= found.fig_start else text[found.end:s]
        if _OTHER_CLAUSE.search(between) or (
                e > found.fig_start and _OTHER_SUBJECT_CLAUSE.search(between)):
            return None  # "up 3% for the year after falling 10% earlier": not borrowed
        return w
    return None


def _definite_period(spec: WindowSpec) -> bool:
    """"over the month", "for the quarter" (not "this month"): may name a month or
    quarter stated before it."""
    return (spec.type == "calendar" and spec.offset == 0 and spec.month is None
            and spec.quarter is None and spec.unit in ("month", "quarter")
            and bool(re.match(r"(?:over|in|for|during|on)\s+the\b", spec.text, re.I)))


#: A figure a sentence may state (a percentage, points, dollars, a large count).
_FIGURE = re.compile(r"\d[\d,.]*\s*(?:%|percent\b|per\s+cent\b|bps?\b|basis\s+points?\b|"
                     r"points?\b|pp\b)|\$\s?\d|\b\d{1,3}(?:,\d{3})+\b", re.I)

#: How many paragraphs back a period carries to a paragraph that states none (a bullet
#: after "What happened on Monday", a paragraph after a heading).
_CARRY_PARAGRAPHS = 2

#: A relative or participle clause about something else after the figure: "fell 7%,
#: extending a rout that has wiped out $600bn this week" (the week is the rout's).
_OTHER_SUBJECT_CLAUSE = re.compile(
    r",\s*(?:extending|adding\s+to|deepening|capping|bringing)\b|"
    r"\b(?:that|which)\s+(?:has|have|had)\b", re.I)

#: Words that start another clause: a period on the other side of them is not shared.
_OTHER_CLAUSE = re.compile(r"\b(?:after|before|following|having|while|whereas|but|"
                           r"although|though|unlike)\b|;", re.I)


_MEMBERS_AFTER = re.compile(r"\s+(?:stocks|members|components|constituents|companies|"
                            r"names|issues)\b", re.I)


#: A figure about the session's path, not its close ("after being up 5% at the open").
_INTRADAY = re.compile(r"(?:\s*(?:%|percent|per\s+cent))?\s+(?:at\s+the\s+open|intraday|"
                       r"at\s+one\s+point|at\s+(?:the|its)\s+(?:session|intraday|day's)\s+"
                       r"(?:high|low)|earlier\s+in\s+the\s+(?:day|session))\b", re.I)


def _hedged(text: str, f: _Found) -> bool:
    """A forecast, condition or hedge: a hedge word in the figure's clause before the
    figure's end, or "if"/"unless" anywhere before it in the sentence."""
    before = text[:f.fig_end]
    cut = 0
    for m in _CLAUSE_BREAK.finditer(before):
        cut = m.end()
    if _HEDGE.search(before, cut):
        return True
    return bool(re.search(r"\b(?:if|unless|should\s+(?:the|it|they))\b", before, re.I))


def _written_subject(text: str, end: int) -> str:
    """The words before a figure that name its subject as written ("The iPhone rival")."""
    head = text[max(0, end - 80):end]
    cut = 0
    for m in _CLAUSE_BREAK.finditer(head):
        cut = m.end()
    head = re.split(rf"\s+(?:{_UP}|{_DOWN}|is|are|was|were|has|have|had|hit|closed|"
                    rf"ended|finished|made|set|remains?)\b", head[cut:], maxsplit=1,
                    flags=re.I)[0]
    return head.strip(" ,;:\"'()[]") or "(none)"


_OPEN = "([{\"'\u201c\u2018"
_CLOSE = {"(": ")", "[": "]", "{": "}", "\"": "\"", "'": "'", "\u201c": "\u201d",
          "\u2018": "\u2019"}


def _clean_span(text: str, a: int, b: int) -> tuple[int, int]:
    """Trim whitespace, trailing punctuation and unbalanced brackets or quotes from a
    quote's span (a quote is a clean fragment: no stray "(" or "]" at its ends)."""
    while True:
        before = (a, b)
        while a < b and (text[a].isspace() or text[a] in ",;:"):
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] in ",;:."):
            b -= 1
        if a < b and text[a] in _OPEN and _CLOSE[text[a]] not in text[a + 1:b]:
            a += 1
        if a < b and text[b - 1] in ")]}\"\u201d\u2019" and not any(
                o in text[a:b - 1] for o, c in _CLOSE.items() if c == text[b - 1]):
            b -= 1
        if (a, b) == before:
            return a, b


_LIST_KINDS = frozenset({"return", "one_day", "decline", "drawdown", "extreme",
                         "moving_average", "rsi", "outperformance"})


def _list_subjects(f: _Found, mentions: list[Mention], text: str,
                   used_objects: set[int]) -> list[Mention]:
    """The subject and the names listed right before it ("Apple, Nvidia and Alphabet
    are each down 10%": three subjects), in text order; [] when it is a single name."""
    if f.kind not in _LIST_KINDS or f.subject is None:
        return []
    chain = [f.subject]
    earlier = [m for m in mentions if m.end <= f.subject.start]
    while earlier:
        prev = earlier.pop()
        gap = text[prev.end:chain[0].start]
        if prev.start in used_objects or not _LIST_SEP.fullmatch(gap) or \
                _is_object(prev, text):
            break
        chain.insert(0, prev)
    if len(chain) < 2:
        return []
    return chain


def parse_candidate(candidate: Candidate, table: AliasTable,
                    context: Context | None = None) -> list[Claim]:
    """Stage 2: the claims of one candidate sentence (see module docs); updates
    ``context`` (carried subjects and periods) for the next one."""
    return extract_from_sentence(candidate.sentence, table, context, candidate=candidate)


def extract_from_sentence(sentence: Sentence, table: AliasTable,
                          context: Context | None = None, *,
                          candidate: Candidate | None = None) -> list[Claim]:
    """Claims of one sentence (see module docs); updates ``context`` for the next one."""
    ctx = context if context is not None else Context()
    if sentence.paragraph != ctx.paragraph:
        if ctx.last_window is not None:
            ctx.prev_window = (ctx.last_window[0], ctx.paragraph) \
                if len(ctx.para_periods) <= 1 else _main_period(ctx)
        ctx.paragraph = sentence.paragraph
        ctx.para_periods = set()
        ctx.para_claim_periods = {}
        ctx.last_window = None
        ctx.last_direction = None
    text = sentence.text
    if candidate is not None:
        mentions = list(candidate.mentions)
        windows = list(candidate.windows)
        can_claim = candidate.can_claim
    else:
        mentions = table.find(text)
        windows = find_windows(text)
        can_claim = True
    anchor = find_anchor(text) if can_claim else None
    found: list[_Found] = []
    figures: list[tuple[int, int]] = []
    for rule in RULES if can_claim else ():
        for m in rule.pattern.finditer(text):
            f = rule.build(m, text, mentions)
            if f is None:
                continue
            f.rule = rule.name
            if any(a < f.fig_end and f.fig_start < b for a, b in figures):
                continue
            if any(g.start <= f.start and f.end <= g.end and g.kind != "rank" for g in found):
                continue  # inside a higher-priority match ("are above their 50-day" in breadth)
            figures.append((f.fig_start, f.fig_end))
            found.append(f)
    # A rank and a figure from one name ("Energy (XLE) -10.2% MTD, the only sector down"):
    # the rank first, so that both read the name.
    found.sort(key=lambda f: (f.start, f.kind != "rank"))
    found = [f for f in found if not _hedged(text, f) and not _INTRADAY.match(text, f.fig_end)]
    claims: list[Claim] = []
    used_objects: set[int] = set()
    for f in found:
        for o in f.objects:
            used_objects.add(o.start)
    floor = 0
    last_mention: Mention | None = None
    prev_direction = ctx.last_direction
    prev_subject = ctx.last_subject
    for i, f in enumerate(found):
        # Skip figures about business quantities, not prices.
        if f.kind in ("return", "decline", "one_day", "level", "range") and f.subject is None:
            subj = _subject_before(f, mentions, text, used_objects, floor)
            between = text[subj.end if subj else 0:f.start]
            if _NON_PRICE.search(between):
                continue
        if f.kind in ("level", "range") and f.subject is not None and \
                _NON_PRICE.search(text[f.subject.end:f.fig_start]):
            continue  # "SPX implied vol is at 14.2": a level of something else
        next_start = found[i + 1].start if i + 1 < len(found) else len(text)
        pair: tuple[Mention | None, Mention | None] = (None, None)
        if f.kind == "extreme":
            pair = _pair_for_extreme(f, mentions, text)
            if pair[1] is not None:
                f.kind = "ratio_extreme"
                f.subject = pair[0]
                f.objects = [pair[1]]
        if f.subject is None and f.kind == "rank" and last_mention is not None and \
                re.fullmatch(r"[^,;.]{0,12},\s*", text[floor:f.start]):
            f.subject = last_mention  # "Energy -10.2% MTD, the only sector down in April"
        if f.subject is None and f.kind == "rank":
            opening = [x for x in mentions if f.start <= x.start <= f.start + 4
                       and x.start not in used_objects]
            if opening:
                f.subject = opening[0]
        if f.subject is None and f.kind != "breadth":
            f.subject = _subject_before(f, mentions, text, used_objects, floor)
        if f.subject is None and f.kind != "breadth":
            tail = re.match(r"\s*(?:for|in|at|of|on)\s+(?:the\s+)?", text[f.end:], re.I)
            after = [x for x in mentions if tail and x.start == f.end + tail.end()]
            if after:
                f.subject = after[0]
                f.subject_after = True
                f.end = after[0].end
        if f.subject is None and f.kind == "ratio_extreme":
            pass
        if f.kind in ("moving_average", "rsi", "extreme") and f.subject is not None and \
                _MEMBERS_AFTER.match(text, f.subject.end):
            continue  # "S&P 500 stocks trade above their 200-day" is breadth, not the index
        names: list[Mention] = []
        subject_name = None
        subject_alias = None
        if f.subject is not None:
            subject_alias, subject_name = f.subject.alias, f.subject.text
        carried: list[tuple[Alias, str]] = []
        if f.subject is None and f.kind != "breadth" and ctx.last_subjects and \
                _BACKREF.match(text) and not _mentions_in(mentions, 0, f.start):
            # "They are each down 10%": every subject of the previous sentence.
            carried = list(ctx.last_subjects)
            subject_alias, subject_name = carried[0]
        if f.subject is None and not carried and f.kind != "breadth":
            f.details["subject_text"] = _written_subject(text, f.start)
        if f.subject is not None:
            names.append(f.subject)
        # Window.
        spec = f.window
        if spec is None and f.needs_window:
            spec = _window_for(f, windows, next_start,
                               f.subject.start if f.subject and not f.subject_after else f.start,
                               text)
            if spec is None and ctx.last_window is not None:
                w, idx = ctx.last_window
                spec = replace(w, origin=f"context: {w.text!r} (sentence {idx + 1})")
            if spec is None and ctx.prev_window is not None and \
                    0 < sentence.paragraph - ctx.prev_window[1] <= _CARRY_PARAGRAPHS:
                w = ctx.prev_window[0]
                spec = replace(w, origin=f"context: {w.text!r} (an earlier paragraph)")
        if spec is not None and _definite_period(spec):
            # "In July, ... by 12 points over the month": the month named before it.
            named = [w for w, s_, e_ in windows if s_ < f.start and w.type == "calendar"
                     and w.unit == spec.unit and (w.month or w.quarter)]
            earlier = named[-1] if named else next(
                (w for w in (ctx.claim_window, ctx.last_window[0] if ctx.last_window else None)
                 if w is not None and w.type == "calendar" and w.unit == spec.unit
                 and (w.month or w.quarter)), None)
            if earlier is not None:
                spec = replace(earlier, origin=f"context: {spec.text!r} = {earlier.text!r}")
        if spec is not None and spec.type == "same":
            # "that day", "in that stretch": the period of the claim before.
            said = spec.text
            if spec.relative == "since":
                # "since then": from the exact day stated before; anything vaguer is not
                # a start date.
                exact = ctx.claim_window if ctx.claim_window is not None and \
                    ctx.claim_window.type == "day" and ctx.claim_window.month else None
                spec = None if exact is None else WindowSpec(
                    "since", said, year=exact.year, month=exact.month, day=exact.day,
                    origin=f"context: {said!r} = {exact.text!r}")
                if spec is None:
                    f.details["vague"] = f"{said!r} does not name an exact start date"
                    spec = WindowSpec("since", said, relative="vague")
            elif ctx.claim_window is not None and (
                    spec.relative != "session" or ctx.claim_window.type == "day"):
                spec = replace(ctx.claim_window, origin=f"context: {said!r} = "
                               f"{ctx.claim_window.text!r}")
            elif spec.relative == "session":
                spec = WindowSpec("day", said, relative="today")
            else:
                spec = None
        elif spec is None and f.kind in ("extreme", "ratio_extreme", "moving_average", "rsi",
                                         "breadth", "level", "range"):
            day = [w for w, s, e in windows if w.type == "day"]
            if day:
                spec = day[0]
        # Kind refinement for moves.
        stated = f.stated
        if f.rule in ("move_versus", "move_and"):
            d = f.direction if f.direction else (prev_direction or 1)
            stated = _signed(str(f.stated), d)
            f.direction = d
        if f.kind == "return" and spec is not None and f.details.get("unit") != "bp":
            if spec.type == "day":
                f.kind = "one_day"
            elif spec.duration and isinstance(stated, float) and stated < 0:
                f.kind = "decline"
        if f.direction:
            prev_direction = f.direction
        if spec is not None and f.needs_window:
            ctx.claim_window = spec
            if spec.origin == "text":
                n, _ = ctx.para_claim_periods.get(spec.label(), (0, spec))
                ctx.para_claim_periods[spec.label()] = (n + 1, spec)
        quote_start = f.subject.start if (f.subject is not None and not f.subject_after
                                          and f.subject.start < f.start) else f.start
        if f.kind in ("ratio_extreme",) and pair[0] is not None:
            quote_start = min(quote_start, pair[0].start)
        quote_end = f.end
        if spec is not None and spec.origin == "text":
            for w, s, e in windows:
                if w is spec and s >= f.end and s - quote_end <= 40 and s < next_start:
                    quote_end = e
        for o in f.objects:
            if o.start >= quote_end and o.start - quote_end <= 30:
                quote_end = o.end
        # "Nvidia (NVDA) rose 3%": the quote starts at the name, not inside the brackets.
        before_subject = text[:quote_start].rstrip()
        if before_subject.endswith("("):
            owner = [x for x in mentions if x.end <= len(before_subject) - 1
                     and re.fullmatch(r"[\s,]*(?:(?:Inc|Corp|Co|Ltd|plc|Corporation|Company)"
                                      r"\.?[\s,]*)?", text[x.end:len(before_subject) - 1])]
            if owner:
                quote_start = owner[-1].start
        if carried:
            ref = _BACKREF.match(text)
            if ref is not None and ref.end() <= f.start:
                quote_start = min(quote_start, len(ref.group(0)) - len(ref.group(0).lstrip()))
        elif f.details.get("subject_text") not in (None, "(none)"):
            said = f.details["subject_text"]
            k = text.rfind(said, 0, f.start)
            if k >= 0:
                quote_start = min(quote_start, k)
        quote_start, quote_end = _clean_span(text, quote_start, quote_end)
        quote = text[quote_start:quote_end]
        instruments: list[Alias] = []
        written: list[str] = []
        if subject_alias is not None:
            instruments.append(subject_alias)
            written.append(subject_name or "")
        for o in f.objects:
            instruments.append(o.alias)
            written.append(o.text)
        if f.details.get("object_backref") and prev_subject is not None and \
                prev_subject[0] is not subject_alias:
            instruments.append(prev_subject[0])
            written.append(prev_subject[1])
        end_date = None
        if anchor is not None:
            end_date = anchor[:3]
        claim = Claim(
            quote=quote, kind=f.kind, instruments=tuple(instruments), names=tuple(written),
            window=spec, stated=stated, qualifier=f.qualifier, sentence=sentence.index,
            line=sentence.line, rule=f.rule, details=dict(f.details, anchor=end_date),
            start=quote_start, end=quote_end)
        chain = _list_subjects(f, mentions, text, used_objects) \
            if f.subject is not None and not f.subject_after else []
        if chain:
            # "Apple, Nvidia and Alphabet are each down 10%": one claim per name, in text
            # order, each quoting the whole list.
            a, b = _clean_span(text, chain[0].start, quote_end)
            each = _respective_figures(text, f, len(chain))
            for member, value in zip(chain, each or [claim.stated] * len(chain), strict=True):
                claims.append(replace(
                    claim, quote=text[a:b], start=a, end=b, stated=value,
                    instruments=(member.alias, *claim.instruments[1:]),
                    names=(member.text, *claim.names[1:]),
                    details=dict(claim.details, list_member=member.text)))
        else:
            claims.append(claim)
        if claim.instruments:
            prev_subject = (claim.instruments[0], claim.names[0])
        for extra in carried[1:]:
            claims.append(replace(claim, instruments=(extra[0], *claim.instruments[1:]),
                                  names=(extra[1], *claim.names[1:]),
                                  details=dict(claim.details, carried=extra[1])))
        floor = f.end
        last_mention = f.subject if f.subject is not None and not carried else None
    claims += _as_is_claims(text, claims, mentions)
    # Carry context to the next sentence.
    subjects = [c for c in claims if c.instruments]
    if mentions:
        first = next((m for m in mentions if not _is_object(m, text)), mentions[0])
        last_claim_subject = subjects[-1] if subjects else None
        if last_claim_subject is not None:
            ctx.last_subject = (last_claim_subject.instruments[0], last_claim_subject.names[0])
            same = [c for c in subjects if c.sentence == last_claim_subject.sentence
                    and c.start == last_claim_subject.start]
            ctx.last_subjects = [(c.instruments[0], c.names[0]) for c in same]
        else:
            ctx.last_subject = (first.alias, first.text)
            chain = [first]
            for mention in mentions:
                gap = text[chain[-1].end:mention.start]
                if mention.start > chain[-1].end and _LIST_SEP.fullmatch(gap):
                    chain.append(mention)
                elif mention is not first and mention.start > first.start:
                    break
            ctx.last_subjects = [(c.alias, c.text) for c in chain]
    text_windows = [w for w, s, e in windows]
    if claims:
        # Of a sentence of claims, only the periods its claims took carry on: "fell 7%,
        # extending a rout that ... this week" passes no week to the next paragraph.
        used = {c.window.text for c in claims if c.window is not None}
        text_windows = [w for w in text_windows if w.text in used]
    if text_windows and (claims or not _FIGURE.search(text)):
        # A period carries from a sentence of claims or from one without figures (a
        # heading, "What happened on Monday"); not from a figure that is no market claim
        # ("Payrolls rose 73,000 in July").
        ctx.last_window = (text_windows[-1], sentence.index)
        ctx.para_periods.update(w.label() for w in text_windows)
    if claims:
        dirs = [c.stated for c in claims if isinstance(c.stated, float) and c.kind in (
            "return", "one_day", "decline")]
        if dirs:
            ctx.last_direction = 1 if dirs[-1] > 0 else -1
    return claims


def extract_claims(doc: Document, table: AliasTable) -> list[Claim]:
    """All claims of a document, in reading order (see module docs).

    Examples
    --------
    >>> from rotascope.text.extract import parse_document
    >>> from rotascope.text.aliases import load_aliases
    >>> doc = parse_document("Nvidia rose 4.2% on Friday.")
    >>> [(c.kind, c.tickers, c.stated) for c in extract_claims(doc, load_aliases())]
    [('one_day', ['NVDA'], 0.042)]
    """
    from .candidates import find_candidates

    ctx = Context()
    out: list[Claim] = []
    for cand in find_candidates(doc, table):
        sentence = cand.sentence
        for c in parse_candidate(cand, table, ctx):
            loc = doc.locate(c.quote, sentence.line) if hasattr(doc, "locate") else None
            if loc is not None:
                c = replace(c, line=loc.line, column=loc.column, span=(loc.start, loc.end))
            out.append(c)
    out.extend(table_claims(doc, table))
    return out


#: A table cell holding a change: "+1.2%", "-0.8 %", "+12 bp", "(3.1%)" is not read.
_CELL_CHANGE = re.compile(r"\s*(?P<num>[+\-\u2212\u2013]?\d{1,4}(?:\.\d+)?)\s*"
                          r"(?P<unit>%|bps?|basis\s+points?)\s*", re.I)
#: Column headers that name a period without a phrase find_windows reads.
_HEADER_PERIODS = {
    "day": WindowSpec("day", "day", relative="today"),
    "1d": WindowSpec("day", "1D", relative="today"),
    "today": WindowSpec("day", "today", relative="today"),
    "week": WindowSpec("calendar", "week", unit="week", offset=0),
    "1w": WindowSpec("calendar", "1W", unit="week", offset=0),
    "month": WindowSpec("calendar", "month", unit="month", offset=0),
    "quarter": WindowSpec("calendar", "quarter", unit="quarter", offset=0),
    "year": WindowSpec("ytd", "year"),
}


def _header_window(text: str) -> WindowSpec | None:
    found = find_windows(text)
    if found:
        return found[0][0]
    return _HEADER_PERIODS.get(re.sub(r"[^a-z0-9]", "", text.lower()))


#: A bound on the cells read from tables (a 100,000-row table of figures is data, not
#: commentary; the rest is skipped with a warning).
MAX_TABLE_CLAIMS = 1000


def table_claims(doc: Document, table: AliasTable) -> list[Claim]:
    """Changes in table cells: the row's first cell names the instrument, the column
    header the period ("| S&P 500 | +1.2% |" under "| Asset | Week |"). Only cells that
    hold a signed change and columns whose header reads as a period are taken; the quote
    is "<row name> <cell>, <header>" and points at the cell's line."""
    out: list[Claim] = []
    paras = doc.paragraphs
    for rows in getattr(doc, "tables", ()):
        header = rows[0]
        windows = [(_header_window(paras[i].text) if i is not None else None) for i in header]
        if not any(windows[1:]):
            continue  # no column names a period: nothing to read (and no cost on big tables)
        for row in rows[1:]:
            if not row or row[0] is None:
                continue
            label = paras[row[0]].text
            found = table.find(label)
            if not found:
                continue
            subject = found[0]
            for j, cell in enumerate(row[1:], start=1):
                column = windows[j] if j < len(windows) else None
                if cell is None or column is None:
                    continue
                m = _CELL_CHANGE.fullmatch(paras[cell].text)
                if m is None:
                    continue
                spec = replace(column, origin=f"table column {paras[header[j]].text!r}")
                num = m.group("num").replace("\u2212", "-").replace("\u2013", "-")
                d = -1 if num.startswith("-") else 1
                value = abs(float(num.lstrip("+-")))
                bp = m.group("unit") != "%"
                kind = "one_day" if spec.type == "day" else "return"
                quote = f"{label} {paras[cell].text}, {paras[header[j]].text}"
                details: dict = {"verb": "+" if d > 0 else "-", "anchor": None,
                                 "table_cell": True}
                if bp:
                    details["unit"] = "bp"
                line = paras[cell].line
                c = Claim(quote=quote, kind=kind, instruments=(subject.alias,),
                          names=(subject.text,), window=spec,
                          stated=value * d if bp else round(value * d / 100.0, 10),
                          rule="table_cell", details=details, line=line, start=0, end=len(quote))
                loc = doc.locate(paras[cell].text, line) if hasattr(doc, "locate") else None
                if loc is not None:
                    c = replace(c, line=loc.line, column=loc.column, span=(loc.start, loc.end))
                out.append(c)
                if len(out) >= MAX_TABLE_CLAIMS:
                    doc.warnings.append(f"tables: only the first {MAX_TABLE_CLAIMS} cells with "
                                        "a change are checked")
                    return out
    return out
