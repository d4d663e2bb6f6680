"""Fake but plausible people for the demo and the benchmark: names, ID numbers, phones, schooling,
work and Party history, all drawn from a seeded `random.Random` so every run gives the same people.

Only plain values are produced here; `seed_demo` (and `bench/make_members.py`) turn them into rows.
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from .validators import id_number_build

# The demo's "today": generated dates never depend on the day the seed runs.
REFERENCE_DATE = datetime.date(2026, 11, 1)

# Surnames common in Yongding (Hakka ones like 卢 胡 江 苏 赖 廖 游 简 巫 among them), with weights.
SURNAMES = {
    "张": 9, "李": 7, "王": 5, "陈": 8, "林": 7, "黄": 6, "卢": 6, "胡": 5, "江": 5, "苏": 4,
    "赖": 5, "廖": 4, "游": 3, "简": 2, "巫": 2, "沈": 2, "郑": 3, "曾": 3, "刘": 5, "吴": 3,
    "罗": 3, "邱": 3, "钟": 2, "温": 2, "谢": 2, "阮": 1, "范": 1, "童": 1, "熊": 1, "马": 1,
}
GIVEN_MALE = "伟强军斌杰鹏浩宇俊峰磊涛明辉华东亮建志勇凯锋晨昊晖彬航翔毅坤鑫海龙福荣"
GIVEN_FEMALE = "芳娟婷丽敏静燕玲霞雪琳萍颖慧倩晶洁莹璐欣悦怡佳雯嘉秀兰梅红艳春媛蓉茜瑶"
GIVEN_ANY = "文嘉子雨思家安宏德远晓清新诗梓振承奕天雅立学永"

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182", "183",
    "184", "185", "186", "187", "188", "189", "191", "198", "199",
)

EDUCATION_WEIGHTS = {"college": 14, "bachelor": 68, "master": 16, "doctor": 2}
YEARS_TO_GRADUATE = {"college": 21, "bachelor": 22, "master": 25, "doctor": 28}
UNIVERSITIES = {
    "college": {
        "闽西职业技术学院": 5, "福建船政交通职业学院": 2, "厦门城市职业学院": 2, "漳州职业技术学院": 2,
        "福建信息职业技术学院": 2, "泉州医学高等专科学校": 1,
    },
    "bachelor": {
        "龙岩学院": 12, "厦门大学": 7, "福州大学": 8, "华侨大学": 6, "集美大学": 7, "福建师范大学": 8,
        "福建农林大学": 5, "福建医科大学": 3, "厦门理工学院": 4, "闽南师范大学": 4, "福建工程学院": 3,
        "莆田学院": 2, "华南理工大学": 2, "暨南大学": 2, "中山大学": 1, "嘉应学院": 2, "江西师范大学": 1,
        "浙江大学": 1, "同济大学": 1,
    },
    "master": {
        "厦门大学": 6, "福州大学": 5, "福建师范大学": 5, "华侨大学": 3, "福建农林大学": 2, "华南理工大学": 2,
        "中山大学": 2, "暨南大学": 1, "浙江大学": 1, "同济大学": 1, "北京师范大学": 1, "武汉大学": 1,
    },
    "doctor": {"厦门大学": 3, "福州大学": 1, "中山大学": 1, "浙江大学": 1, "北京大学": 1, "复旦大学": 1},
}

# Employers: invented firms in each city plus public employers (schools, hospitals, offices).
FIRM_WORDS = "鹭汇 闽源 嘉和 永鑫 华誉 汇通 客家 恒信 鼎盛 中闽 新元 博远 卓越 东升 瑞丰 天成".split()
FIRM_KINDS = (
    "信息科技有限公司", "软件有限公司", "建设工程有限公司", "贸易有限公司", "电子有限公司", "物流有限公司",
    "会计师事务所", "律师事务所", "生物科技有限公司", "机械制造有限公司", "文化传媒有限公司", "食品有限公司",
)
PUBLIC_EMPLOYERS = ("第一中学", "实验小学", "人民医院", "中医院", "税务局", "自然资源局", "职业技术学校")


@dataclass(frozen=True)
class Person:
    name: str
    sex: str
    ethnicity: str
    birth_date: datetime.date
    id_number: str
    phone: str
    education: str
    university: str
    graduation_year: int
    home_township: str
    work_place: str
    employer: str
    joined_party_on: datetime.date
    full_member_on: datetime.date | None
    member_since: datetime.date

    @property
    def status(self) -> str:
        return "full" if self.full_member_on else "probationary"


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class PeopleMaker:
    """Draws unique people; `taken_*` hold values already used (ID numbers, phones)."""

    def __init__(self, seed: int, *, township_weights: dict[str, int], work_place_weights: dict[str, int]):
        self.rng = random.Random(seed)
        self.township_weights = township_weights
        self.work_place_weights = work_place_weights
        self.taken_ids: set[str] = set()
        self.taken_phones: set[str] = set()

    def name(self, sex: str) -> str:
        rng = self.rng
        gendered = GIVEN_MALE if sex == "male" else GIVEN_FEMALE
        if rng.random() < 0.2:
            given = rng.choice(gendered)
        else:
            given = rng.choice(GIVEN_ANY + gendered) + rng.choice(gendered)
        return _pick(rng, SURNAMES) + given

    def phone(self) -> str:
        while True:
            phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.taken_phones:
                self.taken_phones.add(phone)
                return phone

    def id_number(self, birth_date: datetime.date, sex: str) -> str:
        area = "350822" if self.rng.random() < 0.95 else "350803"
        while True:
            value = id_number_build(
                area_code=area, birth_date=birth_date, sequence=self.rng.randrange(500), sex=sex
            )
            if value not in self.taken_ids:
                self.taken_ids.add(value)
                return value

    def employer(self, work_place: str) -> str:
        rng = self.rng
        city = work_place[:2]
        if rng.random() < 0.3:
            return f"{work_place}{rng.choice(PUBLIC_EMPLOYERS)}"
        return f"{city}{rng.choice(FIRM_WORDS)}{rng.choice(FIRM_KINDS)}"

    def person(self, *, born_from: int = 1980, born_to: int = 2003) -> Person:
        rng = self.rng
        sex = "male" if rng.random() < 0.56 else "female"
        birth = _day_between(rng, datetime.date(born_from, 1, 1), datetime.date(born_to, 12, 31))
        education = _pick(rng, EDUCATION_WEIGHTS)
        graduation_year = birth.year + YEARS_TO_GRADUATE[education] + rng.choice((0, 0, 1))
        while graduation_year > REFERENCE_DATE.year - 1 and education != "college":
            education = {"doctor": "master", "master": "bachelor", "bachelor": "college"}[education]
            graduation_year = birth.year + YEARS_TO_GRADUATE[education]
        graduated = datetime.date(graduation_year, 7, 1)
        work_place = _pick(rng, self.work_place_weights)

        # Probation lasts a year; the branch meeting converts the member shortly after.
        adult = _years_after(birth, 18)
        if rng.random() < 0.12:
            first = max(adult, REFERENCE_DATE - datetime.timedelta(days=360))
            joined = _day_between(rng, first, REFERENCE_DATE - datetime.timedelta(days=20))
            full = None
        else:
            latest = REFERENCE_DATE - datetime.timedelta(days=400)
            if rng.random() < 0.6:  # joined at university, in the last two years of study
                first = max(adult, graduated - datetime.timedelta(days=730))
                joined = _day_between(rng, first, min(graduated, latest))
            else:
                joined = _day_between(rng, min(graduated, latest), latest)
            full = _years_after(joined, 1) + datetime.timedelta(days=rng.randint(0, 30))
        member_since = _day_between(rng, max(graduated, joined, datetime.date(2015, 3, 1)), REFERENCE_DATE)

        return Person(
            name=self.name(sex), sex=sex, ethnicity="畲族" if rng.random() < 0.01 else "汉族",
            birth_date=birth, id_number=self.id_number(birth, sex), phone=self.phone(),
            education=education, university=_pick(rng, UNIVERSITIES[education]),
            graduation_year=graduation_year, home_township=_pick(rng, self.township_weights),
            work_place=work_place, employer=self.employer(work_place),
            joined_party_on=joined, full_member_on=full, member_since=member_since,
        )

    def people(self, count: int, **kwargs) -> Iterator[Person]:
        for _ in range(count):
            yield self.person(**kwargs)

    def officer(self) -> tuple[str, str]:
        """A young civil servant's name and phone, for liaison and county accounts."""
        sex = "male" if self.rng.random() < 0.5 else "female"
        return self.name(sex), self.phone()
