"""Data for realistic synthetic tenants: names, county organs, branch names, region codes.

These are data values (Chinese names of people and organs), not user-facing msgids.
"""

from __future__ import annotations

# The most common surnames with rough relative frequencies (per mille of the population,
# after the 2020 census tables); enough variety that a 2,000-member roster looks real.
SURNAME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22),
    ("赵", 20), ("吴", 19), ("周", 18), ("徐", 13), ("孙", 12), ("马", 12), ("朱", 11),
    ("胡", 10), ("郭", 10), ("何", 9), ("林", 9), ("高", 9), ("罗", 8), ("郑", 8), ("梁", 7),
    ("谢", 6), ("宋", 6), ("唐", 6), ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5), ("曹", 5),
    ("彭", 5), ("曾", 5), ("肖", 5), ("田", 4), ("董", 4), ("袁", 4), ("潘", 4), ("于", 4),
    ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4), ("程", 3), ("苏", 3), ("魏", 3),
    ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3),
    ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3),
    ("贾", 2), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2),
    ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2),
    ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2),
    ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("武", 1),
    ("戴", 1), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("常", 1), ("温", 1), ("康", 1),
    ("施", 1), ("文", 1), ("牛", 1), ("樊", 1), ("葛", 1), ("邢", 1), ("安", 1), ("齐", 1),
    ("易", 1), ("乔", 1), ("伍", 1), ("庞", 1), ("颜", 1), ("倪", 1), ("庄", 1), ("聂", 1),
    ("章", 1), ("鲁", 1), ("岳", 1), ("翟", 1), ("殷", 1), ("申", 1), ("耿", 1), ("关", 1),
    ("焦", 1), ("俞", 1), ("左", 1), ("柳", 1), ("甘", 1), ("祝", 1), ("包", 1), ("宁", 1),
    ("尚", 1), ("欧阳", 0.5), ("司马", 0.1), ("诸葛", 0.1),
)  # fmt: skip

MALE_CHARS = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳峰亮成志建新国庆东海"
FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲婷雪琳慧颖倩晶洁莉萍红梅兰英凤玉珍琴云秀佳欣怡璐瑶丹"
# Characters popular with those born before about 1965, mixed in for older members.
OLDER_MALE_CHARS = "建国卫东红军振华德福贵宝顺忠"
OLDER_FEMALE_CHARS = "秀英桂兰淑珍玉凤金花素芬翠莲月娥"

# County organs (县直机关) and the kind of their Party organization.
UNIT_NAMES: tuple[tuple[str, str], ...] = (
    ("县发展和改革局机关党委", "committee"),
    ("县财政局机关党委", "committee"),
    ("县教育局党总支", "general_branch"),
    ("县卫生健康局机关党委", "committee"),
    ("县公安局机关党委", "committee"),
    ("县人力资源和社会保障局党总支", "general_branch"),
    ("县自然资源局机关党委", "committee"),
    ("县住房和城乡建设局党总支", "general_branch"),
    ("县交通运输局党总支", "general_branch"),
    ("县农业农村局机关党委", "committee"),
    ("县水利局党总支", "general_branch"),
    ("县市场监督管理局机关党委", "committee"),
    ("县民政局党总支", "general_branch"),
    ("县司法局党总支", "general_branch"),
    ("县统计局党总支", "general_branch"),
    ("县审计局党总支", "general_branch"),
    ("县生态环境分局党总支", "general_branch"),
    ("县文化广电和旅游局党总支", "general_branch"),
    ("县应急管理局党总支", "general_branch"),
    ("县退役军人事务局党总支", "general_branch"),
)

# Branch names used in order inside a unit (the retired branch is added separately).
BRANCH_NAMES: tuple[str, ...] = (
    "办公室党支部",
    "第一党支部",
    "第二党支部",
    "第三党支部",
    "业务科室党支部",
    "综合科室党支部",
    "第四党支部",
    "下属事业单位党支部",
    "第五党支部",
    "执法大队党支部",
    "第六党支部",
    "服务中心党支部",
)
RETIRED_BRANCH_NAME = "离退休干部党支部"
GROUP_NAMES: tuple[str, ...] = ("第一党小组", "第二党小组", "第三党小组")

# One county (兰考县, 开封市, 410225) and its neighbours, where members were born.
HOME_REGION = "410225"
NEARBY_REGIONS: tuple[str, ...] = ("410221", "410222", "410223", "410212", "410203", "411421")

MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "166", "176", "177", "180", "182", "185", "186",
    "187", "188", "189", "191", "199",
)  # fmt: skip
