"""Every rule id the code can report, declared once: severity, a one-line Chinese description and
where the rule comes from.

The entry conditions of each scheme are not listed here: their ids, thresholds and articles are
declared in that scheme's `scheme.yaml` (`conditions`). The README's list of checks is generated
from this table (`scripts/rules-doc`), and tests/test_registry.py fails when a rule the code reports
is missing here, or a rule here has no test row that makes it fail.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str           # error | warning (a warning is shown but does not fail the check)
    description: str        # one line, for staff
    basis: str = ""         # a standard, or "办法" where the scheme's own article is cited in each finding
    group: str = ""         # the heading it is listed under
    safety_net: bool = False  # no input the schemas accept reaches it: kept so a gap is a finding, not a crash


def _rules(group: str, *rows: tuple) -> list[Rule]:
    return [Rule(row[0], row[1], row[2], row[3] if len(row) > 3 else "", group, len(row) > 4 and row[4] == "safety net")
            for row in rows]


RULES: dict[str, Rule] = {rule.id: rule for rule in [
    *_rules("YAML 文件",
            ("yaml-syntax", "error", "YAML 语法错误（附常见原因：未加引号的「: 」、缩进不齐）"),
            ("yaml-tab", "error", "用 Tab 缩进（YAML 只能用空格）"),
            ("yaml-encoding", "error", "文件不是 UTF-8 编码（能认出 GBK/GB18030）"),
            ("yaml-duplicate-key", "error", "同一个键写了两次（YAML 只保留最后一个）"),
            ("yaml-empty", "error", "文件为空"),
            ("yaml-not-mapping", "error", "文件内容不是“键: 值”的映射"),
            ("yaml-unquoted-number", "error", "信用代码、电话、邮编等被读成数字（开头的 0 会丢失）：请加引号"),
            ("yaml-unquoted-boolean", "error", "yes/no/on/off 被读成 true/false：请加引号"),
            ("file-unreadable", "error", "文件无法读取")),
    *_rules("坏输入：敌意、损坏或放错的文件",
            ("file-not-regular", "error", "不是普通文件（文件夹、管道、设备）：不跳过、不等待"),
            ("file-too-large", "error", "文件超过 1 MB：在读入前拒绝"),
            ("file-broken-link", "error", "符号链接指向不存在的文件或循环"),
            ("file-outside-repository", "error", "符号链接指向名录仓库之外"),
            ("file-misplaced", "error", ".yaml 文件放错了位置（如直接放在 providers/ 下）"),
            ("folder-unreadable", "error", "文件夹无法读取"),
            ("yaml-alias", "error", "记录中用了锚点或别名（& *）：拒绝（防“十亿笑声”）"),
            ("yaml-tag", "error", "记录中用了 !! 标签（!!binary、!!python/… 等）：拒绝"),
            ("yaml-too-deep", "error", "嵌套超过 100 层：拒绝"),
            ("yaml-number-too-large", "error", "数字过大（超过 10^20 或 30 位）：多半是未加引号的编号"),
            ("yaml-number-not-finite", "error", ".nan / .inf 不是有效数字"),
            ("text-control-character", "error", "文字中有控制字符（如 NUL、ESC）"),
            ("text-invisible-character", "error", "文字中有零宽或方向控制等看不见的字符"),
            ("text-line-break", "error", "单行的项中有换行（只有简介、说明、理由可以多行）"),
            ("text-surrounding-space", "error", "文字首尾有空格、全角空格、Tab 或看不见的字符"),
            ("date-out-of-range", "error", "日期早于 1900 年或晚于 2099 年")),
    *_rules("结构（JSON Schema）",
            ("schema-required", "error", "缺少必填项"),
            ("unknown-key", "error", "未知字段（多为拼写错误）"),
            ("schema-type", "error", "类型不对（如应为数字却写了文字）"),
            ("schema-enum", "error", "不在可选范围内（类别、性质、学历等取自 scheme.yaml 的 vocabularies）"),
            ("schema-length", "error", "文字过长或为空"),
            ("schema-range", "error", "数值超出范围（如百分比大于 100）"),
            ("schema-pattern", "error", "格式不对（如报送周期 YYYY-MM）"),
            ("schema-duplicate-item", "error", "列表中有重复项"),
            ("schema-format", "error", "格式不对（如日期）"),
            ("schema-key", "error", "键的写法不对（如年份应为四位数字）"),
            ("schema-any-of", "error", "不是允许的几种写法之一（见该项的说明）"),
            ("date", "error", "不是有效日期（YYYY-MM-DD）"),
            ("record-id", "error", "记录编号只能用小写字母、数字和连字符"),
            ("waiver-reason", "error", "放宽理由为空白", "湖北严选 第五条末段")),
    *_rules("代码与联系方式",
            ("credit-code", "error", "统一社会信用代码位数、字符或校验位不对", "GB 32100-2015"),
            ("region-code", "error", "行政区划代码不存在", "GB/T 2260"),
            ("region-outside-scheme", "error", "行政区划不在本名录的省、市内", "办法"),
            ("postal-code", "error", "邮政编码应为 6 位数字"),
            ("phone", "error", "电话号码格式不对"),
            ("email", "error", "电子信箱格式不对（浏览器表单用同一规则）"),
            ("website", "error", "网址只能以 http:// 或 https:// 开头")),
    *_rules("引用与一致性",
            ("id-mismatch", "error", "记录编号与文件名不同"),
            ("scheme-mismatch", "error", "所属名录与所在文件夹不同"),
            ("record-id-reserved", "error", "记录编号与网站栏目名冲突"),
            ("kind-not-allowed", "error", "名录不收录这类记录（如湖南没有专家库）"),
            ("unknown-scheme", "error", "providers/ 下的文件夹不是已知的名录"),
            ("batch-id-mismatch", "error", "批次编号与文件名不同"),
            ("batch-missing", "error", "认定信息缺少所属批次", "办法"),
            ("batch-unknown", "error", "所属批次不存在"),
            ("status-after-decision", "warning", "批次已发文认定，记录仍写作公示中"),
            ("status-before-decision", "error", "批次尚未发文认定，记录却写作已认定、暂停或撤销"),
            ("term-missing", "error", "已录入的服务商/专家缺少聘任期限起始日", "办法"),
            ("validity-mismatch", "error", "写出的有效期起止日与推算不一致", "办法"),
            ("action-before-validity", "error", "暂停、撤销或退出日期早于有效期起始日"),
            ("action-status-mismatch", "warning", "写了暂停/撤销/退出的信息，但认定状态不是对应的状态"),
            ("revocation-basis-no-ban", "warning", "撤销依据不是规定禁止再申报的条款，不推算禁止期"),
            ("grades-not-in-scheme", "error", "名录的办法没有年度绩效评价，却写了等级"),
            ("grade-value", "error", "绩效评价等级不在 scheme.yaml 的 grades.values 中", "办法"),
            ("report-period-cadence", "error", "报送周期的写法与本名录的报送周期（月、季度……）不符", "办法"),
            ("change-kind", "error", "重大变化的类型不是本名录规定须报备的变化", "办法"),
            ("direct-inclusion-not-in-scheme", "error", "名录的办法没有“直接纳入”的规定"),
            ("direct-inclusion-title", "error", "不是可直接纳入的示范平台或示范基地称号", "河北 第十条")),
    *_rules("公示",
            ("publicity-days-missing", "error", "办法未规定公示天数时，批次须写明 publicity.working_days", "办法"),
            ("publicity-days-fixed", "error", "批次写的公示天数与办法规定不同", "办法"),
            ("publicity-end-mismatch", "error", "写出的公示截止日与按工作日（含调休）推算的不同", "办法"),
            ("decision-before-publicity-end", "error", "认定发文日期不在公示期结束之后", "办法"),
            ("calendar-gap", "error", "公示期所在年份的节假日安排尚未录入 holidays.yaml")),
    *_rules("入库条件的放宽",
            ("waiver-unknown", "error", "放宽的条件不是本名录的入库条件", "办法"),
            ("waiver-not-allowed", "error", "该条件不允许放宽（已满足的只给警告）", "办法"),
            ("waiver-beyond-floor", "error", "放宽过度：放宽后仍须达到门槛的 waiver_floor_pct", "湖北严选 第五条末段")),
    *_rules("跨记录",
            ("duplicate-id", "error", "同一名录中记录编号重复"),
            ("duplicate-credit-code", "error", "同一信用代码在同一名录中有效期重叠", "办法"),
            ("ban-in-force", "error", "撤销后禁止再申报期内再次申报", "办法")),
    *_rules("名录规则文件",
            ("scheme-file", "error", "scheme.yaml 通过了结构检查，程序却无法读取（结构定义与程序不一致）", "", "safety net"),
            ("scheme-id-mismatch", "error", "scheme.yaml 的 id 与文件夹名不同"),
            ("scheme-reference", "error", "scheme.yaml 引用的 schema 文件、取值范围或记录类别不存在"),
            ("schema-file", "error", "JSON Schema 文件无法读取或不是合法的 JSON"),
            ("schema-unknown-type", "error", "JSON Schema 中有未知的 type"),
            ("schema-unknown-keyword", "error", "JSON Schema 中有拼错的关键字"),
            ("schema-regex", "error", "JSON Schema 中的正则表达式无法编译"),
            ("schema-ref", "error", "JSON Schema 的 $ref 指向不存在的定义或文件，或循环引用"),
            ("holidays-file", "error", "holidays.yaml 中的日期不属于该年，或同时写在放假和调休中")),
    *_rules("表格导入（directory import）",
            ("import-file", "error", "表格文件无法读取"),
            ("import-encoding", "error", "CSV 不是 UTF-8（如 GBK）"),
            ("import-scheme", "error", "名录不存在或不收录这类记录"),
            ("import-empty", "error", "表格没有数据行"),
            ("import-unnamed-column", "error", "有数据的列没有列名"),
            ("import-unknown-column", "error", "列名不是本名录记录的字段"),
            ("import-ambiguous-column", "error", "列名对应多个字段"),
            ("import-duplicate-column", "error", "两列对应同一个字段"),
            ("import-id-missing", "error", "某行缺少记录编号"),
            ("import-duplicate-id", "error", "表格中记录编号重复"),
            ("import-exists", "error", "记录文件已存在（加 --force 才覆盖）"),
            ("import-erases-ban", "error", "覆盖会抹去尚在禁止期内的撤销记录"),
            ("import-control-character", "error", "单元格含控制字符或 U+2028/U+2029"),
            ("import-region", "error", "地名找不到对应的行政区划，或不在本名录的省内")),
]}


def rule(rule_id: str) -> Rule | None:
    return RULES.get(rule_id)


def markdown_table() -> str:
    """The README's list of checks, grouped as above."""
    lines = []
    group = None
    for entry in RULES.values():
        if entry.group != group:
            group = entry.group
            lines += ["", f"**{group}**", "", "| rule | 级别 | 检查什么 | 依据 |", "| --- | --- | --- | --- |"]
        severity = "错误" if entry.severity == "error" else "警告"
        lines.append(f"| `{entry.id}` | {severity} | {entry.description} | {entry.basis} |")
    return "\n".join(lines).strip() + "\n"
