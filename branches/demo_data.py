"""Static facts for the demo data: Yongding's townships and their neighbours, the cities where its
graduates work, and the organization tree down to the 46 branches of the Tulou e-Branch.

Nothing here touches the database; `seed_demo` turns these facts into rows.
"""

from dataclasses import dataclass

# The 24 townships and sub-districts of Yongding district, with their statistical division codes.
TOWNSHIPS = [
    ("350803001", "凤城街道"),
    ("350803101", "坎市镇"),
    ("350803102", "下洋镇"),
    ("350803103", "湖雷镇"),
    ("350803104", "高陂镇"),
    ("350803105", "抚市镇"),
    ("350803106", "湖坑镇"),
    ("350803107", "培丰镇"),
    ("350803108", "龙潭镇"),
    ("350803109", "峰市镇"),
    ("350803110", "城郊镇"),
    ("350803111", "仙师镇"),
    ("350803112", "虎岗镇"),
    ("350803113", "堂堡镇"),
    ("350803114", "岐岭镇"),
    ("350803115", "金砂镇"),
    ("350803116", "洪山镇"),
    ("350803117", "高头镇"),
    ("350803201", "西溪乡"),
    ("350803202", "湖山乡"),
    ("350803203", "陈东乡"),
    ("350803204", "古竹乡"),
    ("350803205", "大溪乡"),
    ("350803206", "合溪乡"),
]

# Townships that share a border. 凤城 is the county seat inside 城郊; 湖坑, 高头, 古竹 and 下洋 are
# the tulou country in the south-east; 坎市, 高陂, 抚市 and 虎岗 face Longyan city to the east.
NEIGHBOURS = [
    ("凤城街道", "城郊镇"),
    ("城郊镇", "陈东乡"), ("城郊镇", "湖雷镇"), ("城郊镇", "西溪乡"), ("城郊镇", "坎市镇"),
    ("城郊镇", "培丰镇"), ("城郊镇", "大溪乡"), ("城郊镇", "仙师镇"),
    ("陈东乡", "岐岭镇"), ("陈东乡", "仙师镇"),
    ("岐岭镇", "洪山镇"), ("岐岭镇", "湖雷镇"), ("岐岭镇", "仙师镇"),
    ("洪山镇", "堂堡镇"),
    ("堂堡镇", "合溪乡"), ("堂堡镇", "湖雷镇"),
    ("合溪乡", "湖雷镇"), ("合溪乡", "金砂镇"),
    ("湖雷镇", "西溪乡"),
    ("西溪乡", "金砂镇"), ("西溪乡", "坎市镇"),
    ("金砂镇", "湖山乡"),
    ("湖山乡", "虎岗镇"),
    ("虎岗镇", "抚市镇"), ("虎岗镇", "坎市镇"),
    ("抚市镇", "坎市镇"), ("抚市镇", "高陂镇"),
    ("坎市镇", "高陂镇"), ("坎市镇", "培丰镇"),
    ("高陂镇", "培丰镇"), ("高陂镇", "龙潭镇"),
    ("培丰镇", "龙潭镇"), ("培丰镇", "大溪乡"),
    ("龙潭镇", "高头镇"),
    ("高头镇", "湖坑镇"), ("高头镇", "古竹乡"),
    ("古竹乡", "湖坑镇"), ("古竹乡", "大溪乡"),
    ("大溪乡", "湖坑镇"),
    ("湖坑镇", "下洋镇"),
    ("下洋镇", "峰市镇"), ("下洋镇", "仙师镇"),
    ("峰市镇", "仙师镇"),
]

# A walk through the county in which each township borders the next: cutting it into consecutive
# pieces gives each branch of a city a group of neighbouring townships.
TOUR = [
    "凤城街道", "城郊镇", "陈东乡", "岐岭镇", "洪山镇", "堂堡镇", "合溪乡", "湖雷镇", "西溪乡", "金砂镇",
    "湖山乡", "虎岗镇", "抚市镇", "坎市镇", "高陂镇", "培丰镇", "龙潭镇", "高头镇", "古竹乡", "大溪乡",
    "湖坑镇", "下洋镇", "峰市镇", "仙师镇",
]

# How many of the graduates come from each township (relative; the big towns send more).
TOWNSHIP_WEIGHTS = {
    "凤城街道": 9, "城郊镇": 5, "坎市镇": 8, "下洋镇": 6, "湖雷镇": 5, "高陂镇": 6, "抚市镇": 5,
    "湖坑镇": 6, "培丰镇": 3, "龙潭镇": 3, "峰市镇": 3, "仙师镇": 3, "虎岗镇": 3, "堂堡镇": 2,
    "岐岭镇": 3, "金砂镇": 2, "洪山镇": 2, "高头镇": 3, "西溪乡": 2, "湖山乡": 1, "陈东乡": 1,
    "古竹乡": 2, "大溪乡": 2, "合溪乡": 1,
}


@dataclass(frozen=True)
class Place:
    """A city (or district) where graduates work, and how its branches are named and reached."""

    key: str  # short code used in branch codes and demo e-mail addresses
    name: str  # WorkPlace.name
    province: str
    short: str  # used in branch names: 土楼e支部{short}第一支部
    postcode: str
    phone_area: str
    venues: tuple[str, ...]  # one meeting address per branch
    townships: tuple[str, ...] = ()  # for a single branch: the handful of townships it takes

    @property
    def branch_count(self) -> int:
        return len(self.venues)


PLACES = [
    Place("ly", "龙岩市新罗区", "福建省", "新罗", "364000", "0597", (
        "福建省龙岩市新罗区九一北路43号 龙岩市永定商会三楼",
        "福建省龙岩市新罗区登高西路168号 登高街道党群服务中心二楼",
        "福建省龙岩市新罗区龙岩大道266号 龙岩永定籍人才驿站",
        "福建省龙岩市新罗区西安北路92号 西城街道党群服务中心",
        "福建省龙岩市新罗区龙腾中路18号 东城创业园党员活动室",
        "福建省龙岩市新罗区北环西路35号 中城街道党群服务中心",
    )),
    Place("yd", "龙岩市永定区", "福建省", "永定城区", "364100", "0597", (
        "福建省龙岩市永定区凤城街道永新路21号 区流动党员服务中心",
        "福建省龙岩市永定区凤城街道城南路60号 凤城街道党群服务中心",
        "福建省龙岩市永定区城郊镇南门坝路8号 城郊镇党群服务中心",
        "福建省龙岩市永定区凤城街道环城东路116号 永定青年创业园",
    )),
    Place("xm", "厦门市", "福建省", "厦门", "361000", "0592", (
        "福建省厦门市思明区湖滨南路388号 厦门市永定商会",
        "福建省厦门市思明区莲前西路2号 莲前街道党群服务中心",
        "福建省厦门市湖里区枋湖北二路1101号 湖里区两新组织党建服务中心",
        "福建省厦门市思明区观日路24号 软件园二期党群服务中心",
        "福建省厦门市集美区杏林湾路492号 集美新城党群服务中心",
        "福建省厦门市海沧区沧林东路259号 海沧街道党群服务中心",
        "福建省厦门市湖里区火炬北路11号 火炬高新区党群服务中心",
        "福建省厦门市同安区环城南路503号 大同街道党群服务中心",
        "福建省厦门市翔安区翔安南路1088号 翔安新城党员活动室",
        "福建省厦门市思明区厦禾路899号 永定籍在厦青年联谊会",
    )),
    Place("fz", "福州市", "福建省", "福州", "350000", "0591", (
        "福建省福州市鼓楼区五四路158号 福州市永定商会",
        "福建省福州市台江区江滨中大道363号 台江区楼宇党建服务站",
        "福建省福州市仓山区金山大道618号 金山街道党群服务中心",
        "福建省福州市晋安区福新中路96号 晋安区两新组织党群服务中心",
        "福建省福州市闽侯县上街镇学府南路8号 大学城党员活动室",
    )),
    Place("qz", "泉州市", "福建省", "泉州", "362000", "0595", (
        "福建省泉州市丰泽区刺桐路658号 泉州市永定商会",
        "福建省泉州市鲤城区温陵南路77号 鲤城区党群服务中心",
        "福建省泉州市晋江市世纪大道1188号 晋江市流动党员服务站",
        "福建省泉州市石狮市宝岛路263号 石狮市两新组织党建服务中心",
    )),
    Place("zz", "漳州市", "福建省", "漳州", "363000", "0596", (
        "福建省漳州市芗城区胜利西路302号 漳州市永定商会",
        "福建省漳州市龙文区水仙大街51号 龙文区党群服务中心",
    )),
    Place("gz", "广州市", "广东省", "广州", "510000", "020", (
        "广东省广州市天河区天河路490号 广州福建永定商会",
        "广东省广州市番禺区兴南大道368号 番禺区两新组织党群服务中心",
        "广东省广州市黄埔区科学大道182号 科学城党群服务中心",
    )),
    Place("sz", "深圳市", "广东省", "深圳", "518000", "0755", (
        "广东省深圳市福田区深南大道6011号 深圳市龙岩商会永定分会",
        "广东省深圳市南山区科技中一路19号 南山科技园党群服务中心",
        "广东省深圳市龙岗区龙城大道89号 龙岗区流动党员服务站",
        "广东省深圳市宝安区新安三路28号 宝安区两新组织党群服务中心",
    )),
    Place("dg", "东莞市", "广东省", "东莞", "523000", "0769", (
        "广东省东莞市南城街道鸿福路106号 东莞市福建永定商会",
        "广东省东莞市松山湖大道8号 松山湖党群服务中心",
    )),
    Place("fs", "佛山市", "广东省", "佛山", "528000", "0757", (
        "广东省佛山市禅城区季华五路22号 佛山市闽西商会",
    ), ("湖坑镇", "下洋镇", "高头镇", "古竹乡", "大溪乡")),
    Place("mz", "梅州市", "广东省", "梅州", "514000", "0753", (
        "广东省梅州市梅江区梅江三路33号 梅州市闽西同乡会",
    ), ("下洋镇", "峰市镇", "仙师镇", "湖坑镇")),
    Place("sh", "上海市", "上海市", "上海", "200000", "021", (
        "上海市浦东新区张江路665号 张江科学城党群服务中心",
        "上海市闵行区莘庄工业区申富路99号 上海市永定商会",
    )),
    Place("bj", "北京市", "北京市", "北京", "100000", "010", (
        "北京市海淀区中关村大街27号 北京龙岩企业商会",
    ), ("凤城街道", "城郊镇", "湖雷镇", "西溪乡", "坎市镇")),
    Place("hz", "杭州市", "浙江省", "杭州", "310000", "0571", (
        "浙江省杭州市西湖区文三路259号 杭州市福建商会",
    ), ("坎市镇", "高陂镇", "抚市镇", "虎岗镇", "培丰镇")),
]

CHINESE_ORDINALS = "一二三四五六七八九十"

# Contact numbers of the branches' meeting places, in branch order (46).
BRANCH_PHONES = [
    "0597-2231586", "0597-2237745", "0597-3209261", "0597-2951360", "0597-5331427", "0597-2862093",
    "0597-5832156", "0597-5836630", "0597-5821478", "0597-5896215",
    "0592-2389541", "0592-5183247", "0592-5716032", "0592-5932184", "0592-6218875", "0592-6589312",
    "0592-5712096", "0592-7023458", "0592-7886120", "0592-5127639",
    "0591-87532164", "0591-83261759", "0591-88031426", "0591-87305628", "0591-22860413",
    "0595-22563187", "0595-22391640", "0595-85627419", "0595-88750326",
    "0596-2056382", "0596-2681745",
    "020-38821547", "020-84652310", "020-32065918",
    "0755-83421976", "0755-26713508", "0755-28935167", "0755-27815320",
    "0769-22436185", "0769-22891047",
    "0757-83352910",
    "0753-2236184",
    "021-50802147", "021-64306582",
    "010-62571943",
    "0571-88213650",
]


@dataclass(frozen=True)
class OrganizationFacts:
    code: str
    name: str
    short_name: str
    kind: str
    address: str
    postcode: str
    phone: str
    email: str = ""
    work_place: str = ""
    townships: tuple[str, ...] = ()


CITY = OrganizationFacts(
    code="LY", name="中共龙岩市委", short_name="龙岩市委", kind="city_committee",
    address="福建省龙岩市新罗区九一北路22号 中共龙岩市委组织部", postcode="364000",
    phone="0597-2233068", email="zzb@demo.ebranch.cn",
)
COUNTY = OrganizationFacts(
    code="LY-YD", name="中共龙岩市永定区委", short_name="永定区委", kind="county_committee",
    address="福建省龙岩市永定区凤城街道沿河东路36号 中共永定区委组织部", postcode="364100",
    phone="0597-5832671", email="ydzzb@demo.ebranch.cn",
)
GENERAL_BRANCH = OrganizationFacts(
    code="LY-YD-TL", name="永定区大学生流动党员党总支", short_name="土楼e支部", kind="general_branch",
    address="福建省龙岩市永定区凤城街道永新路21号 永定区流动党员服务中心", postcode="364100",
    phone="0597-5838120", email="tulou@demo.ebranch.cn",
)


def _cut(tour: list[str], weights: dict[str, int], pieces: int) -> list[tuple[str, ...]]:
    """Cut the tour into consecutive pieces of about equal weight, none empty."""
    total = sum(weights[name] for name in tour)
    groups: list[list[str]] = [[] for _ in range(pieces)]
    done, current = 0, 0
    for i, name in enumerate(tour):
        wanted = min(int((done + weights[name] / 2) * pieces / total), pieces - 1)
        current = max(min(wanted, current + 1), current, pieces - (len(tour) - i))
        groups[current].append(name)
        done += weights[name]
    return [tuple(group) for group in groups]


def branches() -> list[OrganizationFacts]:
    """The 46 branches in code order: each serves one work place and takes neighbouring townships."""
    result = []
    for place in PLACES:
        if place.branch_count == 1:
            groups = [place.townships]
        else:
            groups = _cut(TOUR, TOWNSHIP_WEIGHTS, place.branch_count)
        for i, (venue, townships) in enumerate(zip(place.venues, groups, strict=True)):
            number = len(result) + 1
            short = f"{place.short}第{CHINESE_ORDINALS[i]}支部"
            result.append(OrganizationFacts(
                code=f"LY-YD-TL-{number:02d}", name=f"土楼e支部{short}", short_name=short, kind="branch",
                address=venue, postcode=place.postcode, phone=BRANCH_PHONES[number - 1],
                work_place=place.name, townships=townships,
            ))
    return result


BRANCH_COUNT = 46
MEMBER_COUNT = 1278
# The branch the demo member, secretary and liaison officer belong to: 土楼e支部厦门第一支部.
DEMO_BRANCH_CODE = "LY-YD-TL-11"
