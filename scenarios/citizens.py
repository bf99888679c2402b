"""Schema and validation of the ``citizens`` and ``channels`` config nodes.

A citizens preset describes the population by factors (regions, settlement, age bands, main
language) and per-topic preferences; ``sim.citizens`` crosses the factors into groups. A channels
preset lists the feedback mechanisms by kind (petitions, appeals, consultations, analytics), each
keyed by the channel's name, so that presets combine by merging (``kz_digital`` = the Kazakh ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scenarios.checks import in_range, need, non_negative
from scenarios.checks import positive as positive_number

#: Main languages of the citizen groups; a channel may also support others (e.g. English).
GROUP_LANGUAGES = ("kazakh", "russian")
#: Languages a channel may list.
LANGUAGES = (*GROUP_LANGUAGES, "english")


@dataclass
class RegionConf:
    """A region (oblast) or a city of republican status."""

    population: float = 0.0  # residents
    urban: float = 0.5  # share living in towns and cities
    kazakh: float = 0.7  # share whose main language is Kazakh (the rest: Russian)


@dataclass
class AgeBandConf:
    """An age band, listed from the youngest to the oldest."""

    share: float = 0.0  # share of the population
    access: float = 1.0  # digital access relative to the settlement's rate


@dataclass
class TopicViewConf:
    """What the population wants on one policy topic, and how much it cares."""

    mean: float = 0.0  # population mean preferred position on [-1, 1]
    sd: float = 0.2  # spread of group positions around the mean
    rural: float = 0.0  # shift of rural groups' position
    oldest: float = 0.0  # shift of the oldest band's position (bands in between: linear)
    russian: float = 0.0  # shift of Russian-speaking groups' position
    salience: float = 0.3  # long-run mean salience in [0, 1]
    rural_salience: float = 0.0  # extra salience in rural groups


@dataclass
class SalienceConf:
    """Salience dynamics (per day) and when a demand emerges."""

    reversion: float = 0.02  # pull towards the long-run mean per day
    volatility: float = 0.03  # sd of a group's daily change
    shock_prob: float = 0.005  # chance per topic per day of a nationwide news shock
    shock_size: float = 0.3  # mean size of a shock (exponential), scaled by the group's base salience
    threshold: float = 0.7  # a demand emerges when salience crosses this upwards
    refractory_days: float = 90.0  # no new demand of the same group on the same topic meanwhile
    lifetime_days: float = 730.0  # an unanswered demand lapses after this
    satisfaction: float = 0.5  # salience is multiplied by this when a law answers the demand
    answer_radius: float = 0.25  # a bill answers a demand if it moves policy its way and lies this close


@dataclass
class CitizensConf:
    """A population of citizen groups: region x settlement x age band x main language."""

    name: str = "citizens"
    description: str = ""
    regions: dict[str, RegionConf] = field(default_factory=dict)
    urban_access: float = 0.9  # share of urban residents online
    rural_access: float = 0.8  # share of rural residents online
    urban_russian_shift: float = 0.0  # extra share of Russian as main language in towns
    age_bands: dict[str, AgeBandConf] = field(default_factory=dict)
    region_sd: float = 0.1  # sd of a region's shift of position, per topic
    topics: dict[str, TopicViewConf] = field(default_factory=dict)
    salience: SalienceConf = field(default_factory=SalienceConf)
    # Each cell (region x settlement x age band x language) is split into this many groups of equal
    # weight, each with its own draw of preferences: the people stood for are the same, the model is
    # finer (and costs in proportion). 1 = one group per cell.
    subgroups: int = 1


@dataclass
class OfflineConf:
    """The baseline path: receptions, letters, the press. Slow and attenuated."""

    reach: float = 0.05  # share of demands carried to a deputy
    delay_days: float = 120.0  # mean delay (exponential)


@dataclass
class VoiceConf:
    """How voiced demand becomes the signal deputies attend to."""

    half_life_days: float = 90.0  # voice fades with this half-life
    full_share: float = 0.01  # share of a group that, having voiced, makes its signal full
    base_sd: float = 0.25  # width of a party's base on the left-right axis


@dataclass
class InitiativeConf:
    """Deputies' own bills follow the voice of their party base."""

    initiators: list[str] = field(default_factory=lambda: ["deputies"])
    share: float = 0.0  # chance that such a bill takes up the base's strongest voiced demand
    min_level: float = 0.05  # voice level below which deputies do not take a demand up


@dataclass
class CouncilConf:
    """A demand-fed initiator (e.g. the People's Council) drafts from the strongest voice."""

    min_level: float = 0.05  # population-weighted voice level needed for an initiative


@dataclass
class PetitionConf:
    """An e-petition platform: moderation queue, listing, signatures, threshold, answer."""

    languages: list[str] = field(default_factory=lambda: list(GROUP_LANGUAGES))
    unsupported_language_use: float = 0.2  # use by groups whose language the site lacks
    uptake: float = 0.1  # chance that a demand of an online group becomes a petition
    moderation_days: float = 20.0  # working days allowed for moderation
    moderation_capacity: float = 10.0  # petitions moderated per working day
    reject_share: float = 0.5  # share refused at moderation
    listing_votes: int = 50  # votes needed to be listed publicly
    open_days: float = 180.0  # days a petition gathers signatures
    signatures_median: float = 20.0  # median final signatures at full reach (lognormal)
    signatures_sigma: float = 3.0  # sd of log final signatures
    growth_days: float = 3.0  # time scale of the S-shaped signature curve (Weibull)
    growth_shape: float = 1.5  # > 1: S-shaped
    threshold: int = 50000  # signatures for consideration / a response
    answer_days: float = 40.0  # working days allowed for the answer
    answer_capacity: float = 1.0  # petitions answered per working day
    second_threshold: int = 0  # e.g. a debate (0: none)
    bill_share: float = 0.2  # chance that an answered petition leads to a bill
    initiator: str = "auto"  # who tables that bill ("auto": a demand-fed initiator, else government)


@dataclass
class AppealConf:
    """Appeals to state bodies, answered within a deadline; they raise attention to a topic."""

    languages: list[str] = field(default_factory=lambda: list(GROUP_LANGUAGES))
    unsupported_language_use: float = 0.2
    uptake: float = 0.3  # chance that a demand of an online group produces appeals
    writers_share: float = 0.001  # share of the group's online people who write
    answer_days: float = 15.0  # working days allowed
    max_days: float = 60.0  # calendar days, with an extension, at most
    capacity: float = 20.0  # appeal batches answered per working day
    misdirected_share: float = 0.1  # sent to the wrong body first
    forward_days: float = 3.0  # working days to forward a misdirected appeal
    attention_gain: float = 1.0  # extra attention to a topic at full appeal voice


@dataclass
class ConsultationConf:
    """Public discussion of every draft: comments from those online and able to read it."""

    languages: list[str] = field(default_factory=lambda: list(GROUP_LANGUAGES))
    unsupported_language_use: float = 0.2
    window_days: float = 10.0  # working days open for comments
    comment_rate: float = 0.5  # comments per working day per million salient online people
    half_quality_comments: float = 5.0  # comments that take a draft halfway to its best
    fail_cut: float = 0.3  # failures at work stages cut by this much at full quality
    veto_gain: float = 0.2  # head of state's tolerance widened by this much at full quality
    position_pull: float = 0.3  # draft moved this far towards commenters' view at full quality


@dataclass
class AnalyticsConf:
    """Impact assessment before committee stages."""

    review_cut: float = 0.2  # committee review time cut by this share
    defect_cut: float = 0.3  # failures at work stages cut by this share


@dataclass
class ChannelsConf:
    """The feedback channels of a scenario; ``offline`` is always there (the baseline)."""

    name: str = "none"
    description: str = ""
    offline: OfflineConf = field(default_factory=OfflineConf)
    voice: VoiceConf = field(default_factory=VoiceConf)
    initiative: InitiativeConf = field(default_factory=InitiativeConf)
    council: CouncilConf = field(default_factory=CouncilConf)
    petitions: dict[str, PetitionConf] = field(default_factory=dict)
    appeals: dict[str, AppealConf] = field(default_factory=dict)
    consultations: dict[str, ConsultationConf] = field(default_factory=dict)
    analytics: dict[str, AnalyticsConf] = field(default_factory=dict)


# -- validation ----------------------------------------------------------------------------------
def _share(path: str, value: Any) -> None:
    in_range(path, value, 0.0, 1.0, "a share in [0, 1]")


def _position(path: str, value: Any) -> None:
    in_range(path, value, -1.0, 1.0, "a number in [-1, 1]")


def _languages(path: str, values: list[str]) -> None:
    need(
        path,
        list(values),
        bool(values) and all(v in LANGUAGES for v in values),
        f"a non-empty list among {', '.join(LANGUAGES)}",
    )


def _positive_total(path: str, items: dict[str, Any], attr: str, what: str) -> None:
    """At least one item, and a positive total of ``attr`` (negative items are refused after)."""
    total = sum(getattr(x, attr) for x in items.values())
    need(path, attr, bool(items) and total > 0, f"{what} with a positive total {attr}")


def _fields(
    at: str, conf: Any, shares: tuple[str, ...], nonneg: tuple[str, ...], positive: tuple[str, ...]
) -> None:
    """A channel's languages and the ranges of its numeric fields, by kind of range."""
    _languages(f"{at}.languages", conf.languages)
    for checks, names in ((_share, shares), (non_negative, nonneg), (positive_number, positive)):
        for f in names:
            checks(f"{at}.{f}", getattr(conf, f))


def check_citizens(c: CitizensConf, parliament: Any, prefix: str = "citizens") -> None:
    """Ranges of a citizens preset; its topics must be the parliament's (others are refused)."""
    _positive_total(f"{prefix}.regions", c.regions, "population", "regions")
    for r, rc in c.regions.items():
        at = f"{prefix}.regions.{r}"
        non_negative(f"{at}.population", rc.population)
        _share(f"{at}.urban", rc.urban)
        _share(f"{at}.kazakh", rc.kazakh)
    _share(f"{prefix}.urban_access", c.urban_access)
    _share(f"{prefix}.rural_access", c.rural_access)
    _share(f"{prefix}.urban_russian_shift", c.urban_russian_shift)
    _positive_total(f"{prefix}.age_bands", c.age_bands, "share", "age bands")
    for a, ac in c.age_bands.items():
        non_negative(f"{prefix}.age_bands.{a}.share", ac.share)
        _share(f"{prefix}.age_bands.{a}.access", ac.access)
    non_negative(f"{prefix}.region_sd", c.region_sd)
    need(
        f"{prefix}.subgroups",
        c.subgroups,
        isinstance(c.subgroups, int) and not isinstance(c.subgroups, bool) and c.subgroups >= 1,
        "an integer >= 1 (groups per cell)",
    )
    known = set(parliament.topics)
    # A preset written for other topics (e.g. the single-queue check) leaves citizens out; one that
    # shares some topics must name only the parliament's (a typo is refused).
    shared = bool(known & set(c.topics))
    for t, tv in c.topics.items():
        at = f"{prefix}.topics.{t}"
        need(at, t, t in known or not shared, f"a topic of the parliament: {', '.join(sorted(known))}")
        _position(f"{at}.mean", tv.mean)
        non_negative(f"{at}.sd", tv.sd)
        _share(f"{at}.salience", tv.salience)
    s = c.salience
    at = f"{prefix}.salience"
    _share(f"{at}.reversion", s.reversion)
    non_negative(f"{at}.volatility", s.volatility)
    _share(f"{at}.shock_prob", s.shock_prob)
    non_negative(f"{at}.shock_size", s.shock_size)
    need(f"{at}.threshold", s.threshold, 0 < s.threshold <= 1, "a number in (0, 1]")
    non_negative(f"{at}.refractory_days", s.refractory_days)
    positive_number(f"{at}.lifetime_days", s.lifetime_days)
    _share(f"{at}.satisfaction", s.satisfaction)
    non_negative(f"{at}.answer_radius", s.answer_radius)


def check_channels(ch: ChannelsConf, parliament: Any, prefix: str = "channels") -> None:
    """Ranges of a channels preset, unique channel names, and the initiators it names."""
    _share(f"{prefix}.offline.reach", ch.offline.reach)
    non_negative(f"{prefix}.offline.delay_days", ch.offline.delay_days)
    positive_number(f"{prefix}.voice.half_life_days", ch.voice.half_life_days)
    need(f"{prefix}.voice.full_share", ch.voice.full_share, 0 < ch.voice.full_share <= 1, "a share in (0, 1]")
    positive_number(f"{prefix}.voice.base_sd", ch.voice.base_sd)
    _share(f"{prefix}.initiative.share", ch.initiative.share)
    non_negative(f"{prefix}.initiative.min_level", ch.initiative.min_level)
    non_negative(f"{prefix}.council.min_level", ch.council.min_level)
    seen: dict[str, str] = {"offline": "offline"}
    kinds = {
        "petitions": ch.petitions,
        "appeals": ch.appeals,
        "consultations": ch.consultations,
        "analytics": ch.analytics,
    }
    for kind, items in kinds.items():
        for name in items:
            at = f"{prefix}.{kind}.{name}"
            need(at, name, name not in seen, f"a channel name not already used (by {seen.get(name)})")
            seen[name] = kind
    for name, p in ch.petitions.items():
        at = f"{prefix}.petitions.{name}"
        _fields(
            at,
            p,
            shares=("unsupported_language_use", "uptake", "reject_share", "bill_share"),
            nonneg=("moderation_days", "answer_days", "listing_votes"),
            positive=(
                "moderation_capacity",
                "answer_capacity",
                "open_days",
                "signatures_median",
                "signatures_sigma",
                "growth_days",
                "growth_shape",
                "threshold",
            ),
        )
        need(
            f"{at}.second_threshold",
            p.second_threshold,
            p.second_threshold == 0 or p.second_threshold >= p.threshold,
            f"0 (none) or at least threshold ({p.threshold})",
        )
        names = sorted(parliament.initiators)
        need(
            f"{at}.initiator",
            p.initiator,
            p.initiator == "auto" or p.initiator in names,
            f"auto or one of {names}",
        )
    for name, a in ch.appeals.items():
        at = f"{prefix}.appeals.{name}"
        _fields(
            at,
            a,
            shares=("unsupported_language_use", "uptake", "writers_share", "misdirected_share"),
            nonneg=("answer_days", "forward_days", "attention_gain"),
            positive=("capacity", "max_days"),
        )
    for name, c in ch.consultations.items():
        _fields(
            f"{prefix}.consultations.{name}",
            c,
            shares=("unsupported_language_use", "fail_cut", "position_pull"),
            nonneg=("window_days", "comment_rate", "veto_gain"),
            positive=("half_quality_comments",),
        )
    for name, a in ch.analytics.items():
        at = f"{prefix}.analytics.{name}"
        need(f"{at}.review_cut", a.review_cut, 0 <= a.review_cut < 1, "a share in [0, 1)")
        _share(f"{at}.defect_cut", a.defect_cut)
