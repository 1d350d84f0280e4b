"""The page's text catalogue (English and Russian), on top of the engine's.

Every string the page shows comes from `TEXT` (key -> (English, Russian)) or, for what the
engine reports (validation issues, conflicts, reasons, store errors), from the engine's
catalogue `optimizer.messages`; a key lives in exactly one of them. Placeholders are
`str.format` fields; a tab calls `ctx.t("kpi_pool", pool=...)` or `ctx.t.render(issue.msg)`.
Numbers are formatted in the page's language (see optimizer/messages/catalog.py). To add a
tab's texts, add a section below with both languages.
"""

from __future__ import annotations

import re
from collections import ChainMap
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.messages import (
    CATALOG,
    DEFAULT_LANG,
    LANGUAGES,
    Catalogue,
    Message,
    auto_decimals,
    fmt_num,
    fmt_pct,
    plotly_separators,
    unit_text,
)
from optimizer.messages import Translator as _EngineTranslator

__all__ = [
    "DEFAULT_LANG",
    "LANGUAGES",
    "NBSP",
    "TEXT",
    "MarkdownTranslator",
    "Translator",
    "auto_decimals",
    "fmt_num",
    "fmt_pct",
    "md_text",
    "unit_text",
]

NBSP = "\u00a0"


@dataclass(frozen=True)
class Translator(_EngineTranslator):
    """t(key, **kw) over the page's texts and the engine's; missing keys come back as the key
    itself, so a tab can fall back on its own text and a test can find the gap."""

    texts: Catalogue = field(default_factory=lambda: PAGE_TEXTS, repr=False, compare=False)

    @property
    def separators(self) -> str:
        """Plotly's decimal and thousands separators for this language."""
        return plotly_separators(self.lang)

    @property
    def md(self) -> Translator:
        """This language for a Markdown string: user values escaped (see `md_text`)."""
        return MarkdownTranslator(self.lang)


# ---- the catalogue ---------------------------------------------------------------------------
TEXT: dict[str, tuple[str, str]] = {
    # page and tabs
    "page_title": ("Risk-reduction planner", "Планировщик снижения рисков"),
    "page_intro": (
        "How to spend the budget and management hours on risk-reduction methods for each key "
        "client. Change a number in the sidebar or an input table: the plan is re-solved at "
        "once.",
        "Как распределить бюджет и время руководителей между методами снижения рисков для "
        "каждого ключевого клиента. Измените число на боковой панели или в таблице исходных "
        "данных — план пересчитывается сразу.",
    ),
    "tab_plan": ("Plan", "План"),
    "tab_inputs": ("Inputs", "Исходные данные"),
    "tab_client": ("Client view", "Клиент"),
    "tab_whatif": ("What-if", "Что если"),
    "tab_scenarios": ("Scenarios", "Сценарии"),
    "tab_relationship": ("Relationship", "Отношения"),
    "tab_export": ("Export", "Экспорт"),
    "tab_failed": (
        "This tab could not be shown: {error}",
        "Эту вкладку не удалось показать: {error}",
    ),
    "solving": ("Solving the plan…", "Расчёт плана…"),
    "x_of_y": ("{x} of {y}", "{x} из {y}"),
    "units": ("units", "ед."),
    "value": ("Value", "Ценность"),
    "vs_previous": ("vs the previous inputs", "к предыдущим данным"),
    "vs_baseline": ("vs the pinned baseline", "к закреплённому базовому плану"),
    "delta_against": ("Changes shown against", "Изменения показаны"),
    # sidebar
    "language": ("Language · Язык", "Язык · Language"),
    "sidebar_pools": ("Resources", "Ресурсы"),
    "sidebar_pool_help": (
        "Capacity of {name} shared by all clients. The same number as in the "
        "resources table (Inputs tab).",
        "Лимит ресурса «{name}», общий для всех клиентов. То же число, что "
        "в таблице «Ресурсы» (вкладка «Исходные данные»).",
    ),
    "sidebar_quotes": ("Prices quoted per", "Цены указаны за"),
    "sidebar_quotes_help": (
        "The amount of each resource its price is quoted for on every tab and in exports "
        '("one more 1,000 EUR would add ..."). It is chosen from the capacity once and then '
        "kept, so prices at two budgets compare; set your own here.",
        "Объём каждого ресурса, за который указывается его цена на всех вкладках и в "
        "выгрузках («ещё 1 000 EUR добавят …»). Он выбирается по лимиту один раз и дальше не "
        "меняется, чтобы цены при разных бюджетах можно было сравнить; здесь можно задать "
        "свой.",
    ),
    "sidebar_pool_invalid": (
        "The capacity in the resources table is not a number: type one "
        "here or fix it in the Inputs tab.",
        "Лимит в таблице «Ресурсы» — не число: введите его здесь или "
        "исправьте на вкладке «Исходные данные».",
    ),
    "sidebar_no_pools": (
        "The resources table has no pool with an id.",
        "В таблице «Ресурсы» нет ни одного ресурса с кодом.",
    ),
    "sidebar_run": ("Plan settings", "Настройки плана"),
    "mode": ("Units", "Единицы"),
    "mode_continuous": ("Fractions allowed (intensity)", "Дробные (интенсивность)"),
    "mode_integer": ("Whole units only", "Только целые единицы"),
    "mode_help": (
        "Whole units: a trial month is given or not. Fractions: read 0.5 as half the "
        "intensity. Whole units are slower to solve and report how far from the best "
        "possible plan they may be (the gap).",
        "Целые единицы: пробный месяц либо даётся, либо нет. Дробные: 0,5 — половинная "
        "интенсивность. Целые считаются дольше, и показывается, насколько план может "
        "уступать лучшему возможному (разрыв).",
    ),
    "objective": ("Goal", "Цель"),
    "objective_max_value": (
        "Most value within the resources",
        "Наибольшая ценность в пределах ресурсов",
    ),
    "objective_min_cost": (
        "Cheapest plan reaching a value target",
        "Самый дешёвый план, достигающий цели по ценности",
    ),
    "objective_help": (
        "Most value: spend the resources where clients value them most. "
        "Cheapest: spend as little money as possible while reaching the target "
        "share of the best attainable value.",
        "Наибольшая ценность: ресурсы идут туда, где клиенты ценят их больше "
        "всего. Самый дешёвый: потратить как можно меньше денег, достигнув "
        "заданной доли лучшей достижимой ценности.",
    ),
    "target_share": (
        "Value target (share of the best plan)",
        "Цель по ценности (доля лучшего плана)",
    ),
    "target_share_help": (
        "Used by the cheapest-plan goal: the plan must reach this share of "
        "the value the best plan reaches with the current resources.",
        "Для цели «самый дешёвый план»: план должен достичь этой доли "
        "ценности лучшего плана при текущих ресурсах.",
    ),
    "currency": ("Currency", "Валюта"),
    "currency_help": (
        "The money pool is the resource whose unit is this currency; changing "
        "it relabels that pool.",
        "Денежный ресурс — тот, чья единица совпадает с валютой; смена валюты меняет его единицу.",
    ),
    # status and staleness
    "no_valid_inputs": (
        "The inputs have errors and no earlier plan exists. Fix the problems "
        "listed in the Inputs tab.",
        "В исходных данных есть ошибки, а прежнего плана нет. Исправьте "
        "ошибки, перечисленные на вкладке «Исходные данные».",
    ),
    "stale_banner": (
        "The inputs have {n} problem(s), listed in the Inputs tab. This is the "
        "plan of the last valid inputs: it does not reflect your latest edit.",
        "В исходных данных ошибок: {n} (список на вкладке «Исходные данные»). "
        "Показан план для последних корректных данных: последняя правка в нём не "
        "учтена.",
    ),
    "status_detail": ("{solver}, {seconds} s", "{solver}, {seconds} с"),
    # KPIs
    "kpi_value": ("Total perceived value", "Общая воспринимаемая ценность"),
    "kpi_value_help": (
        "The value clients attribute to what the plan gives them, summed over "
        "clients (each unit worth its decayed value).",
        "Ценность, которую клиенты придают тому, что даёт им план, в сумме по "
        "клиентам (с учётом убывания ценности каждой следующей единицы).",
    ),
    "kpi_share": ("Share of attainable value", "Доля достижимой ценности"),
    "kpi_share_help": (
        "Total perceived value divided by what clients would get with every "
        "offered method at its maximum units.",
        "Общая ценность, делённая на ту, что клиенты получили бы при всех "
        "предложенных методах в максимальном объёме.",
    ),
    "kpi_weighted": ("Weighted value (points)", "Взвешенная ценность (баллы)"),
    "kpi_weighted_help": (
        "Value times each client's strategic weight: the number the plan "
        "maximises. Shadow prices are in these points.",
        "Ценность, умноженная на стратегический вес клиента: именно её "
        "максимизирует план. Теневые цены выражены в этих баллах.",
    ),
    "kpi_status": ("Solver status", "Статус решения"),
    "kpi_status_help": (
        "optimal: no better plan exists. feasible: a plan within the time "
        "limit, maybe not the best.",
        "«Оптимально»: лучшего плана нет. «Допустимо»: план найден за отведённое "
        "время, но, возможно, не лучший.",
    ),
    "kpi_pool": ("{pool} used ({unit})", "{pool}: использовано ({unit})"),
    "kpi_pool_help": (
        "How much of {pool} the plan uses, of its capacity.",
        "Сколько ресурса «{pool}» использует план из его лимита.",
    ),
    "kpi_gap": ("Gap (whole units)", "Разрыв (целые единицы)"),
    "kpi_gap_help": (
        "How far the whole-units plan may be from the best possible one, at most.",
        "Насколько, самое большее, план в целых единицах может уступать лучшему возможному.",
    ),
    "gap_detail": (
        "With fractions the plan would reach {lp} points: whole units cost {cost}.",
        "С дробными единицами план достиг бы {lp} баллов: целые единицы стоят {cost}.",
    ),
    "min_cost_summary": (
        "Cheapest plan: {money} {currency} spent to reach {reached} weighted "
        "points (target {target}, {share} of the best plan).",
        "Самый дешёвый план: потрачено {money} {currency}, достигнуто {reached} "
        "баллов взвешенной ценности (цель {target}, {share} лучшего плана).",
    ),
    # charts
    "chart_heatmap": ("Units per client and method", "Единицы по клиентам и методам"),
    "chart_value_by_client": ("Value per client, by method", "Ценность по клиентам и методам"),
    "chart_pool_use": (
        "Use of each resource per client (share of its capacity)",
        "Использование ресурсов клиентами (доля лимита)",
    ),
    "chart_curves": (
        "Value of each unit (filled: funded, open: not funded)",
        "Ценность каждой единицы (закрашено — профинансировано, пусто — нет)",
    ),
    "share_of_pool": ("share of the resource", "доля ресурса"),
    "unit_number": ("unit number", "номер единицы"),
    "value_of_unit": ("value of the unit", "ценность единицы"),
    "curve_hover": (
        "unit %{x}: value %{y:,.1f}, funded %{customdata:.0f}%",
        "единица %{x}: ценность %{y:,.1f}, профинансировано %{customdata:.0f}%",
    ),
    "curve_caption": (
        "Each further unit of a method is worth less than the one before (the "
        "method's decay). A dotted marker is a partly funded unit.",
        "Каждая следующая единица метода ценится меньше предыдущей (коэффициент "
        "убывания метода). Маркер с точкой — частично профинансированная единица.",
    ),
    # pools and shadow prices
    "pools_title": (
        "Resources and what one more unit is worth",
        "Ресурсы и цена ещё одной единицы",
    ),
    "pools_caption": (
        "Shadow prices hold for small changes; a value point is one unit of "
        "value times the client's weight.",
        "Теневые цены верны для небольших изменений; балл ценности — единица "
        "ценности, умноженная на вес клиента.",
    ),
    "pools_caption_int": (
        "Whole units: prices are those of the chosen plan with its units kept, an approximation.",
        "Целые единицы: цены рассчитаны для выбранного плана с закреплёнными "
        "единицами — это приближение.",
    ),
    "price_worth": (
        "{pool}: one more {amount} {unit} would add {worth} value points.",
        "{pool}: ещё {amount} {unit} добавили бы {worth} баллов ценности.",
    ),
    "price_saves": (
        "{pool}: one more {amount} {unit} would save {saving} {currency}.",
        "{pool}: ещё {amount} {unit} сэкономили бы {saving} {currency}.",
    ),
    "price_slack": (
        "{pool}: {slack} {unit} left unused, so more of it adds nothing now.",
        "{pool}: не использовано {slack} {unit}, поэтому добавка сейчас ничего не даст.",
    ),
    "price_zero_full": (
        "{pool}: all used, but more of it alone would add nothing: another limit binds first.",
        "{pool}: использовано полностью, но одна лишь добавка ничего не даст — "
        "раньше срабатывает другое ограничение.",
    ),
    "price_unknown": ("{pool}: no price for this plan.", "{pool}: для этого плана цены нет."),
    # tables of the plan
    "allocation_title": ("The allocation", "Распределение"),
    "allocation_caption": (
        "Click a column header to sort.",
        "Нажмите на заголовок столбца, чтобы отсортировать.",
    ),
    "funded_only": ("Funded cells only", "Только профинансированные"),
    "unfunded_title": ("Not funded, and why", "Не профинансировано — и почему"),
    "unfunded_caption": (
        "Each method a client could get more of, with what it would take.",
        "Методы, которых клиент мог бы получить больше, и что для этого нужно.",
    ),
    "unfunded_none": (
        "Every offered method is funded in full.",
        "Все предложенные методы профинансированы полностью.",
    ),
    "col_client": ("Client", "Клиент"),
    "col_method": ("Method", "Метод"),
    "col_units": ("Units", "Единицы"),
    "col_max_units": ("Max units", "Макс. единиц"),
    "col_committed": ("Committed", "Обещано"),
    "col_value": ("Value", "Ценность"),
    "col_weighted": ("Weighted value", "Взвешенная ценность"),
    "col_value_per_money": ("Value per 1,000 {currency}", "Ценность на 1 000 {currency}"),
    "col_funded": ("Funded units", "Профинансировано"),
    "col_needed": ("Needed first-unit value", "Нужная ценность 1-й единицы"),
    "col_reason": ("Reason", "Причина"),
    "col_pool": ("Resource", "Ресурс"),
    "col_unit": ("Unit", "Ед. изм."),
    "col_capacity": ("Capacity", "Лимит"),
    "col_used": ("Used", "Использовано"),
    "col_slack": ("Left", "Остаток"),
    "col_shadow": ("Shadow price (points per unit)", "Теневая цена (баллы за единицу)"),
    "col_quoted_per": ("Price quoted per", "Цена указана за"),
    "col_quoted_price": (
        "Value of the quoted amount more (points)",
        "Ценность ещё такого объёма (баллы)",
    ),
    "col_quoted_saving": (
        "Saving from the quoted amount more ({currency})",
        "Экономия от ещё такого объёма ({currency})",
    ),
    # reasons for not funding (rebuilt from the engine's fields)
    # infeasible and errors
    "infeasible_title": (
        "No plan meets every requirement at once, so no plan is shown.",
        "Ни один план не выполняет все требования сразу, поэтому план не показан.",
    ),
    "infeasible_intro": ("These requirements conflict:", "Эти требования противоречат друг другу:"),
    "infeasible_outro": (
        "Change at least one of them; the plan comes back as soon as they fit together.",
        "Измените хотя бы одно из них — план появится, как только они совместятся.",
    ),
    "what_to_change": ("What to change", "Что изменить"),
    "fix_pool_to": (
        "raise {pool} in the sidebar to at least {need} {unit}",
        "увеличьте «{pool}» на боковой панели хотя бы до {need} {unit}",
    ),
    "fix_pool": ("raise {pool} in the sidebar", "увеличьте «{pool}» на боковой панели"),
    "fix_client_cap": (
        "raise or clear {column} of {client} (Inputs, clients table)",
        "увеличьте или очистите лимит «{column}» клиента {client} "
        "(исходные данные, таблица «Клиенты»)",
    ),
    "fix_method_cap": (
        "raise or clear the capacity of {method} (Inputs, methods table)",
        "увеличьте или очистите лимит метода «{method}» (исходные данные, таблица «Методы»)",
    ),
    "fix_floor": (
        "lower min_value_share of {client} (Inputs, clients table)",
        "уменьшите минимальную долю ценности клиента {client} (исходные данные, таблица «Клиенты»)",
    ),
    "fix_target": (
        "lower the value target in the sidebar",
        "уменьшите цель по ценности на боковой панели",
    ),
    "fix_commitment": (
        "reduce committed units of {method} for {client} (Inputs, value "
        "matrix: committed units), if the agreement allows",
        "уменьшите обещанные единицы метода «{method}» для клиента {client} "
        "(исходные данные, матрица ценностей: обещанные единицы), если "
        "договорённость это допускает",
    ),
    "fix_cell_max": (
        "raise max_units of {client}'s methods (Inputs, value matrix)",
        "увеличьте «Макс. единиц» у методов клиента {client} (исходные данные, матрица ценностей)",
    ),
    "error_title": (
        "The solver failed, so no plan is shown.",
        "Решатель завершился с ошибкой, поэтому план не показан.",
    ),
    "error_hint": (
        "Try again, allow fractions of units, or check the inputs.",
        "Попробуйте ещё раз, разрешите дробные единицы или проверьте исходные данные.",
    ),
    # client view
    "client_pick": ("Client", "Клиент"),
    "client_none": ("The clients table is empty.", "Таблица клиентов пуста."),
    "client_no_plan": (
        "There is no plan to show for this client (see the Plan tab).",
        "Для этого клиента нет плана (см. вкладку «План»).",
    ),
    "client_value_help": (
        "The value this client attributes to its part of the plan.",
        "Ценность, которую клиент придаёт своей части плана.",
    ),
    "client_share_help": (
        "Of the {attainable} the client could get with every offered method at its maximum.",
        "Из {attainable}, которые клиент получил бы при всех предложенных "
        "методах в максимальном объёме.",
    ),
    "client_weight": ("Strategic weight", "Стратегический вес"),
    "client_weight_help": (
        "How much this client's value counts in the plan (clients table).",
        "Насколько ценность этого клиента весома в плане (таблица «Клиенты»).",
    ),
    "client_segment": ("Segment", "Сегмент"),
    "client_pool_use": ("{pool} ({unit})", "{pool} ({unit})"),
    "client_pool_use_help": (
        "This client's use of the resource in the plan.",
        "Использование ресурса этим клиентом в плане.",
    ),
    "client_pool_share": ("{share} of the resource", "{share} ресурса"),
    "client_plan_title": ("This client's plan", "План для клиента"),
    "client_not_offered": (
        "Not offered to this client (no value entered): {methods}.",
        "Не предлагается этому клиенту (ценность не задана): {methods}.",
    ),
    "client_rest_title": (
        "What it would take to fund the rest",
        "Что нужно, чтобы профинансировать остальное",
    ),
    "client_all_funded": (
        "Every method offered to this client is funded in full.",
        "Все методы, предложенные клиенту, профинансированы полностью.",
    ),
    "units_funded": ("units funded", "ед. профинансировано"),
    # inputs: status, files
    "validation_errors": (
        "The inputs have {n} problem(s). The plan shown is from the last "
        "valid inputs until they are fixed; your edits are kept.",
        "В исходных данных ошибок: {n}. Пока они не исправлены, показан план "
        "для последних корректных данных; ваши правки сохранены.",
    ),
    "validation_warnings": ("{n} warning(s)", "Предупреждений: {n}"),
    "inputs_valid": (
        "Inputs are valid: {clients} clients, {methods} methods, {cells} offered "
        "client x method cells, {pools} resources.",
        "Исходные данные корректны: клиентов {clients}, методов {methods}, "
        "предложенных пар клиент × метод {cells}, ресурсов {pools}.",
    ),
    "col_table": ("Table", "Таблица"),
    "col_row": ("Row", "Строка"),
    "col_row_help": (
        "The row's line in the file (the header is line 1), as validation messages quote it.",
        "Номер строки в файле (заголовок — строка 1), как в сообщениях о проверке.",
    ),
    "col_key": ("Which", "Где"),
    "col_column": ("Column", "Столбец"),
    "col_bad_value": ("Value", "Значение"),
    "col_problem": ("Problem", "Проблема"),
    "upload": (
        "Upload a bundle: CSV files, one .xlsx workbook or a .zip of CSVs",
        "Загрузить набор: CSV-файлы, одна книга .xlsx или .zip с CSV",
    ),
    "upload_help": (
        "A whole bundle (a .zip, an .xlsx workbook, or CSV files with all of resources.csv, "
        "methods.csv, clients.csv and values.csv) replaces every table. A single table "
        "(say values.csv) replaces the table of the same name and the others are kept. "
        "The Upload button and its file note are Streamlit's own and stay in English.",
        "Полный набор (.zip, книга .xlsx или CSV-файлы, среди которых есть все четыре: "
        "resources.csv, methods.csv, clients.csv и values.csv) заменяет все таблицы. Отдельная "
        "таблица (например, values.csv) заменяет одноимённую, остальные сохраняются. Кнопка "
        "Upload и подпись о размере файла — стандартные элементы Streamlit, они остаются на "
        "английском.",
    ),
    "upload_done": (
        "Loaded {files}: replaced {tables}; kept {kept}.",
        "Загружено {files}: заменены таблицы {tables}; сохранены {kept}.",
    ),
    "upload_done_all": (
        "Loaded {files} as a whole bundle: {tables}. Nothing is kept from the previous inputs.",
        "Загружен полный набор ({files}): {tables}. Из прежних исходных данных ничего не осталось.",
    ),
    "origins_title": ("Where the tables come from:", "Откуда взяты таблицы:"),
    "origin_line": ("{tables}: {origin}", "{tables}: {origin}"),
    "origin_sample": ("the sample data", "пример данных"),
    "origin_page": ("added on this page", "добавлены на этой странице"),
    "drop_sample": ("Drop the rest of the sample", "Убрать остальные таблицы примера"),
    "drop_sample_help": (
        "Remove the tables still taken from the sample ({tables}), keeping only yours.",
        "Удалить таблицы, ещё взятые из примера ({tables}), и оставить только ваши.",
    ),
    "upload_nothing": (
        "No table could be read from {files}; the inputs are unchanged.",
        "Из {files} не удалось прочитать ни одной таблицы; исходные данные не изменены.",
    ),
    "source_sample": (
        "Inputs: the sample data, with your edits.",
        "Исходные данные: пример, с вашими правками.",
    ),
    "source_files": (
        "Inputs: {files}, with your edits.",
        "Исходные данные: {files}, с вашими правками.",
    ),
    "download_xlsx": ("Download inputs (.xlsx)", "Скачать исходные данные (.xlsx)"),
    "download_zip": ("Download inputs (.zip of CSV)", "Скачать исходные данные (.zip с CSV)"),
    "download_help": (
        "The current tables and settings, edits included, as a bundle you can upload again.",
        "Текущие таблицы и настройки с правками — набор, который можно снова загрузить.",
    ),
    "reset": ("Reset to sample data", "Вернуть пример данных"),
    "reset_help": (
        "Replace all inputs with the sample bundle.",
        "Заменить все исходные данные примером.",
    ),
    "reset_confirm": (
        "Replace all inputs with the sample data? Your edits will be lost "
        "(download them first to keep them).",
        "Заменить все исходные данные примером? Ваши правки пропадут (сначала "
        "скачайте их, чтобы сохранить).",
    ),
    "reset_yes": ("Yes, reset", "Да, заменить"),
    "reset_no": ("Cancel", "Отмена"),
    "table_absent": ("The bundle has no {table} table.", "В наборе нет таблицы «{table}»."),
    # inputs: editors
    "values_title": (
        "Value matrix: value of the first unit",
        "Матрица ценностей: ценность первой единицы",
    ),
    "values_caption": (
        "One row per client, one column per method: the value the client "
        "attributes to the first unit of the method. Blank = not offered. A changed value "
        "takes its low and high estimates along.",
        "Строка — клиент, столбец — метод: ценность, которую клиент придаёт "
        "первой единице метода. Пусто — метод не предлагается. При изменении ценности "
        "нижняя и верхняя оценки сдвигаются вместе с ней.",
    ),
    "range_moved": (
        "The low and high estimates moved with the edited value ({n:i}), so the value stays "
        "inside its range; change them in the second grid if they should be different.",
        "Нижняя и верхняя оценки сдвинуты вместе с изменённой ценностью ({n:i}), чтобы она "
        "оставалась внутри диапазона; если оценки должны быть другими, измените их во второй "
        "таблице.",
    ),
    "range_moved_line": (
        "{client} · {method}: value {value}, range {low} – {high}",
        "{client} · {method}: ценность {value}, диапазон {low} – {high}",
    ),
    "range_moved_more": ("… and {n:i} more", "… и ещё {n:i}"),
    "grid_cell_help": ("Method id: {method}", "Код метода: {method}"),
    "detail_field": ("Second grid shows", "Вторая таблица показывает"),
    "detail_field_help": (
        "Ranges, commitments and per-cell caps, in the same grid layout.",
        "Диапазоны, обязательства и лимиты по парам — в той же сетке.",
    ),
    "field_value_low": ("low estimate", "нижняя оценка"),
    "field_value_high": ("high estimate", "верхняя оценка"),
    "field_committed_units": ("committed units", "обещанные единицы"),
    "field_max_units": ("max units", "макс. единиц"),
    "field_value_low_help": (
        "Low end of the value's uncertainty range (blank: no range).",
        "Нижняя граница неопределённости ценности (пусто — без диапазона).",
    ),
    "field_value_high_help": (
        "High end of the value's uncertainty range (blank: no range).",
        "Верхняя граница неопределённости ценности (пусто — без диапазона).",
    ),
    "field_committed_units_help": (
        "Units already agreed in writing: every plan includes them.",
        "Единицы, уже письменно согласованные с клиентом: входят в любой план.",
    ),
    "field_max_units_help": (
        "Per-cell cap on units (blank: the method's max_units).",
        "Лимит единиц для пары (пусто — «Макс. единиц» метода).",
    ),
    "values_long": (
        "All value rows (one row per client and method)",
        "Все строки ценностей (по строке на клиента и метод)",
    ),
    "table_resources": ("Resources", "Ресурсы"),
    "table_resources_caption": (
        "Pools shared by all clients: money and management hours. Add "
        "a row for a new pool; the methods table gets its column.",
        "Ресурсы, общие для всех клиентов: деньги и часы руководителей. "
        "Добавьте строку для нового ресурса — в таблице «Методы» "
        "появится его столбец.",
    ),
    "table_methods": ("Methods", "Методы"),
    "table_methods_caption": (
        "Each method's unit, default cap per client, decay of value per "
        "further unit, optional total capacity, and use of each pool "
        "per unit.",
        "Для каждого метода: единица, лимит на клиента, убывание "
        "ценности каждой следующей единицы, общий лимит единиц (необязательно) "
        "и расход каждого ресурса на единицу.",
    ),
    "table_clients": ("Clients", "Клиенты"),
    "table_clients_caption": (
        "Key clients with their strategic weight, an optional minimum "
        "share of attainable value, and optional caps per pool.",
        "Ключевые клиенты: стратегический вес, минимальная доля "
        "достижимой ценности и лимиты по ресурсам (необязательно).",
    ),
    "table_overrides": ("Overrides", "Особые расходы"),
    "table_overrides_caption": (
        "Per-client use of a pool that replaces the method's default "
        "(travel to a remote client, say).",
        "Расход ресурса для конкретного клиента вместо обычного "
        "(например, поездка к удалённому клиенту).",
    ),
    # Column labels of the editable tables: in English the file's own header, in Russian a
    # label (the file keeps its header; the column's help names it).
    "colname::resource_id": ("resource_id", "Код ресурса"),
    "colname::method_id": ("method_id", "Код метода"),
    "colname::client_id": ("client_id", "Код клиента"),
    "colname::name": ("name", "Название"),
    "colname::unit": ("unit", "Единица"),
    "colname::capacity": ("capacity", "Лимит"),
    "colname::methods::capacity": ("capacity", "Лимит единиц"),
    "colname::max_units": ("max_units", "Макс. единиц"),
    "colname::decay": ("decay", "Убывание"),
    "colname::segment": ("segment", "Сегмент"),
    "colname::weight": ("weight", "Вес"),
    "colname::min_value_share": ("min_value_share", "Мин. доля ценности"),
    "colname::value": ("value", "Ценность"),
    "colname::value_low": ("value_low", "Нижняя оценка"),
    "colname::value_high": ("value_high", "Верхняя оценка"),
    "colname::committed_units": ("committed_units", "Обещано единиц"),
    "colname::per_unit": ("per_unit", "Расход на единицу"),
    "colname::pool": ("{pool}", "{pool}: на единицу"),
    "colname::max_pool": ("max_{pool}", "Макс. {pool}"),
    "colname_file": ("Column in the file: {column}", "Столбец в файле: {column}"),
    "help::resources::resource_id": (
        "Short id: Latin letters, digits, _ . -",
        "Краткий код: латиница, цифры, _ . -",
    ),
    "help::resources::capacity": (
        "How much of the pool there is (also in the sidebar).",
        "Сколько ресурса есть всего (то же на боковой панели).",
    ),
    "help::methods::max_units": (
        "Default number of units per client (whole number, 1 or more).",
        "Число единиц на клиента по умолчанию (целое, от 1).",
    ),
    "help::methods::decay": (
        "Each further unit is worth this share of the one before (0 to 1; 1 = no decay).",
        "Каждая следующая единица стоит такую долю предыдущей (от 0 до 1; 1 — без убывания).",
    ),
    "help::methods::capacity": (
        "Optional cap on units over all clients (blank: none).",
        "Необязательный лимит единиц на всех клиентов (пусто — нет).",
    ),
    "help::methods::pool": (
        "Use of pool {pool} per unit of the method (blank: 0).",
        "Расход ресурса {pool} на единицу метода (пусто — 0).",
    ),
    "help::clients::weight": (
        "Strategic importance, above 0 (1 = normal).",
        "Стратегическая важность, больше 0 (1 — обычная).",
    ),
    "help::clients::min_value_share": (
        "The plan must give the client at least this share of "
        "its attainable value (0 to 1; blank: 0).",
        "План должен дать клиенту не меньше этой доли достижимой ценности (от 0 до 1; пусто — 0).",
    ),
    "help::clients::max_pool": (
        "Optional cap on this client's use of pool {pool} (blank: none).",
        "Необязательный лимит расхода ресурса {pool} на этого клиента (пусто — нет).",
    ),
    "help::values::value": (
        "Value of the first unit (blank: not offered).",
        "Ценность первой единицы (пусто — не предлагается).",
    ),
    "help::values::committed_units": (
        "Units agreed in writing; every plan includes them.",
        "Письменно согласованные единицы; входят в любой план.",
    ),
    "help::overrides::per_unit": (
        "Use of the pool per unit for this client and method.",
        "Расход ресурса на единицу для этого клиента и метода.",
    ),
    # validation messages (the engine's English, matched in ui.reasons)
    # export tab (ui/export_tab.py)
    "export_title": ("Export the plan", "Экспорт плана"),
    "export_intro": (
        "Files for the planning meeting. Each is built when you click its button.",
        "Файлы для совещания по планированию. Каждый создаётся при нажатии его кнопки.",
    ),
    "export_no_inputs": (
        "The inputs have errors, so there is nothing to export yet. Fix them in the Inputs tab.",
        "В исходных данных есть ошибки, поэтому экспортировать пока нечего. "
        "Исправьте их на вкладке «Исходные данные».",
    ),
    "export_no_plan": (
        "There is no plan ({status}). You can still download the workbook or "
        "the report, which explain why, and the model as an LP file.",
        "Плана нет ({status}). Можно скачать книгу или отчёт с объяснением "
        "причин и модель в формате LP.",
    ),
    "export_scenario": (
        "Scenario name (printed on every file)",
        "Название сценария (печатается в каждом файле)",
    ),
    "export_notes": (
        "Scenario notes (workbook and report only, never in a client's plan)",
        "Заметки к сценарию (только в книге и отчёте, никогда в плане клиента)",
    ),
    "export_xlsx": ("Excel workbook", "Книга Excel"),
    "export_xlsx_help": (
        "Summary, client x method grids, per-client and per-method sheets, "
        "methods not funded with the reason, and the inputs as solved.",
        "Сводка, сетки клиент × метод, листы по клиентам и методам, "
        "непрофинансированные методы с причинами и исходные данные расчёта.",
    ),
    "export_csv": ("CSV (one row per client and method)", "CSV (строка на клиента и метод)"),
    "export_csv_help": (
        "The allocation in tidy long form, for other tools.",
        "Распределение в длинном формате — для других программ.",
    ),
    "export_html": (
        "HTML report (printable on A4, works offline)",
        "HTML-отчёт (печать на A4, работает без сети)",
    ),
    "export_html_help": (
        "The summary and the dashboard's charts in one self-contained file.",
        "Сводка и графики панели в одном самодостаточном файле.",
    ),
    "export_json": (
        "JSON (as the command line's solve --json)",
        "JSON (как solve --json в командной строке)",
    ),
    "export_lp": (
        "Model as an LP file (for an analyst's audit)",
        "Модель LP (для аналитика)",
    ),
    "export_clients_title": (
        "Plans for one client's account team",
        "Планы для команды отдельного клиента",
    ),
    "export_clients_intro": (
        "Each client's files hold that client's data only: no other "
        "client's name, id, segment or figures, and no totals across "
        "clients.",
        "Файлы клиента содержат только его данные: ни имён, ни "
        "кодов, ни сегментов, ни цифр других клиентов и никаких "
        "итогов по всем клиентам.",
    ),
    "export_all_clients": (
        "All client plans (.zip: one .html and one .xlsx per client)",
        "Планы всех клиентов (.zip: по .html и .xlsx на клиента)",
    ),
    "export_pick_client": ("Client", "Клиент"),
    "export_client_notes": ("Notes for this client's plan", "Заметки к плану клиента"),
    "export_client_xlsx": ("This client's plan (.xlsx)", "План клиента (.xlsx)"),
    "export_client_html": ("This client's plan (.html)", "План клиента (.html)"),
    # relationship checklist (ui/relationship_tab.py)
    "rel_title": ("Relationship checklist", "Чек-лист работы с ключевым клиентом"),
    "rel_intro": (
        "The textbook's do's for key clients (Table 6.4), per client: is the "
        "interaction plan agreed, are the main selection criteria known, are the "
        "roles in the decision-making unit mapped, is the decision procedure known, "
        "are agreements confirmed in writing. Answer yes, no or unknown (a blank "
        "counts as unknown). Edits are checked like every other table and kept with "
        "the inputs, saved scenarios and each client's own plan export.",
        "Рекомендации учебника по работе с ключевыми клиентами (табл. 6.4) для "
        "каждого клиента: согласован ли план взаимодействия, известны ли основные "
        "критерии выбора, определены ли роли в группе принятия решений, известна ли "
        "процедура принятия решений, подтверждены ли договорённости письменно. "
        "Ответ выбирается из списка: да, нет или неизвестно (пустая ячейка — неизвестно). "
        "Правки проверяются "
        "как в любой другой таблице и сохраняются вместе с исходными данными, "
        "сценариями и планом клиента при экспорте.",
    ),
    "rel_none": (
        "These inputs have no relationship table: the checklist is not assessed, so "
        "nothing is flagged and no value range is widened.",
        "В исходных данных нет чек-листа отношений: он не заполнен, поэтому "
        "ничего не отмечается и диапазоны ценности не расширяются.",
    ),
    "rel_start": ("Start a checklist for every client", "Создать чек-лист для всех клиентов"),
    "rel_missing_clients": (
        "{n} clients have no row in the checklist, so every item counts as unknown for them: {ids}",
        "У {n} клиентов нет строки в чек-листе, поэтому все пункты для них "
        "считаются неизвестными: {ids}",
    ),
    "rel_add_missing": (
        "Add rows for the {n} missing clients",
        "Добавить строки для {n} недостающих клиентов",
    ),
    "rel_errors": (
        "The checklist has {n} error(s); fix them in the table below.",
        "В чек-листе ошибок: {n}; исправьте их в таблице ниже.",
    ),
    "rel_other_errors": (
        "Other input tables have {n} error(s) (see the Inputs tab).",
        "В других таблицах исходных данных ошибок: {n} (см. вкладку «Исходные данные»).",
    ),
    "rel_stale_figures": (
        "The figures below are from the last valid inputs.",
        "Цифры ниже — по последним корректным исходным данным.",
    ),
    "rel_help_client": (
        "The client's id, as in the clients table.",
        "Код клиента, как в таблице «Клиенты».",
    ),
    "rel_help_answer": (
        "yes, no or unknown (blank = unknown).",
        "да, нет или неизвестно (пусто — неизвестно).",
    ),
    "rel_help_open": (
        'Unresolved problems with the client, e.g. "late delivery in March".',
        "Нерешённые проблемы с клиентом, например «задержка поставки в марте».",
    ),
    "rel_help_review": (
        "Date of the last review, YYYY-MM-DD.",
        "Дата последнего пересмотра, ГГГГ-ММ-ДД.",
    ),
    "rel_item_plan_agreed": ("Plan agreed", "План согласован"),
    "rel_item_criteria_known": ("Criteria known", "Критерии известны"),
    "rel_item_roles_mapped": ("Roles mapped", "Роли определены"),
    "rel_item_procedure_known": ("Procedure known", "Процедура известна"),
    "rel_item_written_confirmation": ("Confirmed in writing", "Подтверждено письменно"),
    "rel_answer_yes": ("yes", "да"),
    "rel_answer_no": ("no", "нет"),
    "rel_answer_unknown": ("unknown", "неизвестно"),
    "rel_answer_not_assessed": ("not assessed", "не оценено"),
    "rel_readiness_title": ("Readiness", "Готовность"),
    "rel_readiness_caption": (
        "Readiness = the share of the five items answered yes; no and "
        "unknown earn nothing (not knowing whether the plan is agreed is "
        "not having it agreed).",
        "Готовность = доля из пяти пунктов с ответом «да»; «нет» и "
        "«неизвестно» не засчитываются (не знать, согласован ли план, — "
        "не то же, что согласовать его).",
    ),
    "rel_col_readiness": ("Readiness", "Готовность"),
    "rel_col_yes": ("Answered yes", "Ответов «да»"),
    "rel_col_open": ("Open problems", "Открытые проблемы"),
    "rel_col_last_review": ("Last review", "Последний пересмотр"),
    "rel_col_days": ("Days since", "Дней прошло"),
    "rel_col_widen": ("Value ranges", "Диапазоны ценности"),
    "rel_col_unconfirmed": (
        "Units not confirmed in writing",
        "Единиц без письменного подтверждения",
    ),
    "rel_col_reason": ("Why", "Почему"),
    "rel_widen_x": ("widened {f}×", "расширены в {f} раза"),
    "rel_stale_title": ("Reviews due", "Пора пересмотреть"),
    "rel_stale_days": ("A review is due after (days)", "Пересмотр нужен через (дней)"),
    "rel_stale_days_help": (
        "Clients whose last review is older than this, or who have no review date, are listed.",
        "В список попадают клиенты, чей последний пересмотр старше этого срока или не датирован.",
    ),
    "rel_as_of": ("As of", "На дату"),
    "rel_as_of_help": (
        "The date the reviews are aged against (today by default).",
        "Дата, от которой считается давность пересмотров (по умолчанию сегодня).",
    ),
    "rel_stale_summary": (
        "{n} of {total} clients have had no review in the last {days} days.",
        "У {n} из {total} клиентов не было пересмотра за последние {days} дн.",
    ),
    "rel_stale_none": (
        "Every client was reviewed in the last {days} days.",
        "Все клиенты пересмотрены за последние {days} дн.",
    ),
    "rel_reason_older": ("older than {days} days", "старше {days} дн."),
    "rel_reason_no_date": ("no review date", "нет даты пересмотра"),
    "rel_reason_not_assessed": ("not in the checklist", "нет в чек-листе"),
    "rel_unconfirmed_title": (
        "Commitments not confirmed in writing",
        "Обязательства без письменного подтверждения",
    ),
    "rel_unconfirmed_line": (
        "{client}: {n} committed unit(s) of {method}; confirmed in writing: {answer}",
        "{client}: обязательство {n} ед. по методу «{method}»; письменно подтверждено: {answer}",
    ),
    "rel_unconfirmed_caption": (
        "Every plan includes committed units. Confirm them in writing, "
        "or take them out of the values table.",
        "Обязательства входят в каждый план. Подтвердите их письменно "
        "или уберите из матрицы ценностей.",
    ),
    "rel_unconfirmed_none": (
        "Every committed unit is confirmed in writing.",
        "Все обязательства подтверждены письменно.",
    ),
    "rel_widen_title": (
        "Uncertainty: what the checklist does to the value ranges",
        "Неопределённость: как чек-лист влияет на диапазоны ценности",
    ),
    "rel_widen_caption": (
        "Where a client's selection criteria or decision roles are not known "
        "(no or unknown), its value estimates are less certain: the "
        "robustness analysis stretches each of its ranges {f}× around the "
        "value (the low end never below 0). Cells without a range stay "
        "fixed.",
        "Если критерии выбора или роли в группе принятия решений клиента не "
        "известны (нет или неизвестно), его оценки ценности менее надёжны: "
        "анализ устойчивости растягивает каждый его диапазон в {f} раза "
        "вокруг значения (нижняя граница не ниже 0). Ячейки без диапазона "
        "не меняются.",
    ),
    "rel_widen_clients": ("Widened ({n}): {names}", "Расширены ({n}): {names}"),
    "rel_widen_none": (
        "No client is widened: criteria and roles are known for all.",
        "Ни один диапазон не расширен: критерии и роли известны для всех.",
    ),
    "rel_robust_no_plan": (
        "There is no plan for the current inputs, so robustness cannot be tested.",
        "Для текущих данных плана нет, поэтому устойчивость проверить нельзя.",
    ),
    "rel_draws": ("Draws", "Число выборок"),
    "rel_run": (
        "Compare robustness with and without the checklist",
        "Сравнить устойчивость с учётом чек-листа и без",
    ),
    "rel_run_help": (
        "Samples every value within its range and re-solves, once with the "
        "checklist's widening and once without, from the same seed.",
        "Выбирает каждое значение в его диапазоне и пересчитывает план: с "
        "расширением по чек-листу и без него, с одним и тем же начальным "
        "значением генератора.",
    ),
    "rel_robust_running": ("Sampling values…", "Выборка значений…"),
    "rel_robust_with": ("With the checklist's widening", "С расширением по чек-листу"),
    "rel_robust_without": ("Without widening", "Без расширения"),
    "rel_col_run": ("Ranges", "Диапазоны"),
    "rel_col_widened": ("Clients widened", "Клиентов расширено"),
    "rel_col_p5": ("Best value p5", "Лучшая ценность p5"),
    "rel_col_p50": ("p50", "p50"),
    "rel_col_p95": ("p95", "p95"),
    "rel_col_spread": ("Spread p95 − p5", "Разброс p95 − p5"),
    "rel_col_regret": ("Mean regret of the plan", "Средние потери плана"),
    "rel_robust_caption": (
        "{draws} draws, seed {seed}. Regret: what the current plan loses "
        "against the best plan for each draw.",
        "{draws} выборок, начальное значение {seed}. Потери: сколько "
        "текущий план теряет по сравнению с лучшим планом для каждой "
        "выборки.",
    ),
    "rel_client_title": ("Relationship", "Отношения с клиентом"),
    "rel_client_not_assessed": (
        "The inputs have no relationship checklist: not assessed.",
        "В исходных данных нет чек-листа отношений: не оценено.",
    ),
    "rel_client_no_row": (
        "This client has no row in the checklist: every item counts as unknown.",
        "У клиента нет строки в чек-листе: все пункты считаются неизвестными.",
    ),
    "rel_client_open": ("Open problems: {text}", "Открытые проблемы: {text}"),
    "rel_client_summary": (
        "Readiness {score} · last review {date}",
        "Готовность {score} · последний пересмотр {date}",
    ),
    "rel_client_widened": (
        "Its selection criteria or decision roles are not known, so "
        "robustness widens its value ranges {f}×.",
        "Критерии выбора или роли клиента не известны, поэтому анализ "
        "устойчивости расширяет его диапазоны ценности в {f} раза.",
    ),
    "rel_never": ("never", "не было"),
    "rel_plan_unconfirmed": (
        "Committed units without a written confirmation ({n}):",
        "Обязательства без письменного подтверждения ({n}):",
    ),
    "rel_plan_open": (
        "Open problems with key clients ({n}):",
        "Открытые проблемы с ключевыми клиентами ({n}):",
    ),
    # what-if (ui/whatif.py) and scenarios (ui/scenarios.py, ui/analysis_charts.py)
    "wi_no_inputs": (
        "The inputs have errors, so there is nothing to analyse yet. Fix them in the Inputs tab.",
        "В исходных данных есть ошибки, поэтому анализировать пока нечего. "
        "Исправьте их на вкладке «Исходные данные».",
    ),
    "wi_min_cost_note": (
        "The plan is set to the cheapest plan reaching a target; the analyses "
        "below look at the most value each capacity can buy.",
        "План настроен на самый дешёвый вариант, достигающий цели; анализ "
        "ниже показывает наибольшую ценность при каждом объёме ресурса.",
    ),
    "wi_delta_title": ("What if…", "Что если…"),
    "wi_delta_intro": (
        "Change the resources here and see the difference against the "
        "baseline. Pin the current plan as the baseline to compare any later "
        "change of the inputs (sidebar, Inputs tab) with it.",
        "Измените ресурсы здесь и посмотрите разницу с базовым планом. "
        "Закрепите текущий план как базовый, чтобы сравнивать с ним любые "
        "дальнейшие изменения исходных данных (боковая панель, вкладка "
        "«Исходные данные»).",
    ),
    "wi_pct": ("{pool}: change", "{pool}: изменение"),
    "wi_pin": ("Pin the current plan as the baseline", "Закрепить как базовый"),
    "wi_pin_help": (
        "Later changes to any input are compared with this plan until you clear it.",
        "Дальнейшие изменения любых данных сравниваются с этим планом, пока вы его не сбросите.",
    ),
    "wi_unpin": ("Clear the baseline", "Снять базовый"),
    "wi_apply": ("Apply these capacities to the inputs", "Записать в данные"),
    "wi_apply_help": (
        "Writes the changed capacities into the resources table.",
        "Записывает изменённые лимиты в таблицу «Ресурсы».",
    ),
    "wi_reset": ("Reset the changes", "Сбросить изменения"),
    "wi_pinned_label": ("Pinned baseline", "Закреплённый базовый план"),
    "wi_baseline_pinned": ("Baseline", "Базовый план"),
    "wi_baseline_current": ("Current plan", "Текущий план"),
    "wi_whatif_label": ("What-if", "Что если"),
    "wi_delta_hint": (
        "Move a slider to see what the change would do, or pin the current plan "
        "as the baseline and then change any input.",
        "Сдвиньте ползунок, чтобы увидеть последствия изменения, или закрепите "
        "текущий план как базовый и затем меняйте любые данные.",
    ),
    "wi_frontier_heading": ("Value frontier of a resource", "Граница ценности по ресурсу"),
    "wi_frontier_intro": (
        "The most value each capacity of one resource can buy, what one more "
        "unit is worth there, and the capacities where the plan changes "
        "course (ticks on the curve).",
        "Наибольшая ценность при каждом объёме ресурса, цена ещё одной "
        "единицы и объёмы, при которых план меняет направление (засечки "
        "на кривой).",
    ),
    "wi_pool": ("Resource", "Ресурс"),
    "wi_pool_2": ("Second resource", "Второй ресурс"),
    "wi_from": ("From", "От"),
    "wi_to": ("To", "До"),
    "wi_steps": ("Points", "Точек"),
    "wi_bad_range": ("'To' must be larger than 'From'.", "«До» должно быть больше «От»."),
    "wi_run_frontier": ("Compute the frontier", "Рассчитать границу"),
    "wi_run_grid": ("Compute the grid", "Рассчитать сетку"),
    "wi_run_sens": ("Compute the sensitivity", "Рассчитать чувствительность"),
    "wi_run_rb": ("Run the draws", "Рассчитать выборки"),
    "wi_running": ("Computing… {pct}", "Расчёт… {pct}"),
    "wi_stop": ("Stop", "Остановить"),
    "wi_stop_help": (
        "Stops the run and keeps what was computed.",
        "Останавливает расчёт и сохраняет уже посчитанное.",
    ),
    "wi_partial": (
        "Stopped early: these results cover only the part computed before the stop.",
        "Расчёт остановлен досрочно: результаты охватывают только посчитанную часть.",
    ),
    "wi_old_inputs": (
        "Computed for earlier inputs: run it again to update.",
        "Рассчитано для прежних данных: запустите снова, чтобы обновить.",
    ),
    "wi_frontier_title": ("Value against {pool}", "Ценность в зависимости от ресурса «{pool}»"),
    "wi_value_axis": ("Weighted value (points)", "Взвешенная ценность (баллы)"),
    "wi_marginal_axis": (
        "Points per {amount} {unit} more",
        "Баллы ценности за ещё {amount} {unit}",
    ),
    "wi_breaks": ("Plan changes course", "План меняет направление"),
    "wi_break_hover": (
        "from here on more goes to:<br>{more}<br>and no more to:<br>{less}",
        "отсюда больше получают:<br>{more}<br>и перестают получать:<br>{less}",
    ),
    "wi_break_strip": ("Change points", "Точки изменения"),
    "wi_break_bin_hover": (
        "{start} – {stop} {unit}: {n:i} change points{top}",
        "{start} – {stop} {unit}: точек изменения плана — {n:i}{top}",
    ),
    "wi_break_item": (
        "{capacity} {unit}: price {before} → {after}; more to {more}; no more to {less}",
        "{capacity} {unit}: цена {before} → {after}; больше получают {more}; перестают {less}",
    ),
    "wi_unresolved": ("Not searched to the end", "Не проверено до конца"),
    "wi_unresolved_hover": (
        "{start} – {stop} {unit}: not searched to the end, there may be change points here "
        "that are not shown",
        "{start} – {stop} {unit}: не проверено до конца, здесь могут быть точки изменения "
        "плана, которых нет на графике",
    ),
    "wi_find_breaks": ("Find where the plan changes", "Искать точки изменения плана"),
    "wi_find_breaks_help": (
        "The exact capacities where the plan changes course, searched between the points "
        "nearest today's capacity first, for at most the time below.",
        "Точные объёмы, при которых план меняет направление; поиск идёт от точек рядом с "
        "текущим объёмом и длится не дольше указанного ниже времени.",
    ),
    "wi_break_seconds": ("Time for the search, s", "Время на поиск, с"),
    "wi_break_seconds_help": (
        "Where the search runs out of time, the stretches it did not finish are hatched on "
        "the chart and listed; allow more time to search them.",
        "Участки, которые поиск не успел проверить, заштрихованы на графике и перечислены; "
        "чтобы проверить их, дайте поиску больше времени.",
    ),
    "wi_now": ("now", "сейчас"),
    "wi_feasible_from": (
        "No plan is possible below {amount} {unit} of {pool}: the commitments "
        "and floors need that much.",
        "Ниже {amount} {unit} ресурса «{pool}» план невозможен: столько "
        "требуют обязательства и минимальные доли.",
    ),
    "wi_breaks_title": (
        "{n} capacities where the plan changes course",
        "Объёмов, при которых план меняет направление: {n}",
    ),
    "wi_capacity": ("Capacity", "Объём ресурса"),
    "wi_price_before": ("Points per {amount} {unit} below", "Баллы за {amount} {unit} ниже"),
    "wi_price_after": ("Points per {amount} {unit} above", "Баллы за {amount} {unit} выше"),
    "wi_price_per": ("Price per {amount} {unit}", "Цена за {amount} {unit}"),
    "wi_more": ("More from here on", "Больше отсюда"),
    "wi_less": ("No more from here on", "Больше не получают"),
    "wi_grid_heading": ("Two resources at once (heat map)", "Два ресурса сразу (тепловая карта)"),
    "wi_grid_one_pool": ("There is only one resource.", "Ресурс только один."),
    "wi_grid_steps": ("Points per side", "Точек по стороне"),
    "wi_grid_title": ("Weighted value over two resources", "Взвешенная ценность по двум ресурсам"),
    "wi_sens_heading": ("How far the answers hold", "Насколько устойчивы ответы"),
    "wi_sens_intro": (
        "For each resource, the range of capacity over which one more unit is "
        "worth the same; for each funded method, how far its value can fall "
        "before the plan gives it fewer units and before it leaves the plan.",
        "Для каждого ресурса — диапазон объёма, в котором ещё одна единица "
        "стоит столько же; для каждого профинансированного метода — насколько "
        "может упасть его ценность, прежде чем план сократит его и прежде чем "
        "исключит.",
    ),
    "wi_sens_continuous": (
        "Whole units: computed on the plan with fractions allowed, where prices are defined.",
        "Целые единицы: рассчитано для плана с дробными единицами, где цены определены.",
    ),
    "wi_needs_plan": (
        "This needs a plan, and the current inputs have none: see the Plan tab for why.",
        "Для этого нужен план, а при текущих данных его нет: причины — на вкладке «План».",
    ),
    "wi_integer_note": (
        "Whole units: the value moves in steps, so there are no shadow prices; "
        "the dotted line is the value gained per unit over each step.",
        "Целые единицы: ценность меняется скачками, теневых цен нет; пунктир — "
        "прирост ценности на единицу на каждом шаге.",
    ),
    "wi_truncated": (
        "The search for where the plan changes stopped after {seconds} s and {solves:i} "
        "re-solves: the {n:i} shown are exact, but {k:i} stretches ({share} of the range) were "
        "not searched to the end (hatched below the chart); there may be more change points "
        "in them.",
        "Поиск точек изменения плана остановлен через {seconds} с и {solves:i} пересчётов: "
        "показанные {n:i} точны, но {k:i} участков ({share} диапазона) не проверены до конца "
        "(заштрихованы под графиком); в них могут быть и другие точки.",
    ),
    "wi_unresolved_title": (
        "Stretches not searched to the end: {n:i}",
        "Участки, не проверенные до конца: {n:i}",
    ),
    "wi_unresolved_from": ("From", "От"),
    "wi_unresolved_to": ("To", "До"),
    "wi_holds_from": ("Holds from", "Верна от"),
    "wi_holds_to": ("Holds to", "Верна до"),
    "wi_feasible_min": ("Least capacity for a plan", "Минимум для плана"),
    "wi_cells_title": (
        "Funded methods: how far their value can fall",
        "Профинансированные методы: насколько может упасть ценность",
    ),
    "wi_cells_caption": (
        "First-unit values: below 'fewer units' the plan gives the method "
        "less, below 'leaves' it gives it nothing beyond what is committed. "
        "The least robust first.",
        "Ценность первой единицы: ниже «меньше единиц» план сокращает метод, "
        "ниже «выходит» — не даёт ничего сверх обещанного. Сначала наименее "
        "устойчивые.",
    ),
    "wi_changes_below": ("Fewer units below", "Меньше единиц ниже"),
    "wi_leaves_below": ("Leaves below", "Выходит ниже"),
    "wi_drop_share": ("Can fall by", "Может упасть на"),
    "wi_rb_heading": ("How sure is this plan?", "Насколько надёжен план?"),
    "wi_rb_intro": (
        "Each draw picks every value within its low–high range (most often near "
        "the value itself), finds the best plan for it, and checks what the plan "
        "on screen is worth there. Values without a range stay as they are.",
        "Каждая выборка берёт каждую ценность из её диапазона (чаще всего "
        "рядом с самим значением), находит лучший для неё план и проверяет, чего "
        "стоит в ней план на экране. Ценности без диапазона не меняются.",
    ),
    "wi_rb_no_ranges": (
        "No value has a low–high range, so every draw is the same plan. Add "
        "ranges in the Inputs tab (value_low, value_high).",
        "Ни у одной ценности нет диапазона, поэтому все выборки дают один и "
        "тот же план. Добавьте диапазоны на вкладке «Исходные данные» "
        "(нижняя и верхняя оценки).",
    ),
    "wi_rb_draws": ("Draws", "Число выборок"),
    "wi_rb_seed": (
        "Seed (same seed, same answer)",
        "Начальное число (seed): с тем же числом — тот же ответ",
    ),
    "wi_rb_widen": (
        "Widen the ranges of {n} clients whose criteria or roles are not known",
        "Расширить диапазоны {n} клиентов (по чек-листу)",
    ),
    "wi_rb_widen_help": (
        "From the relationship checklist: where the selection criteria or the "
        "decision roles are not known, the values are less certain.",
        "По чек-листу отношений: если критерии выбора или роли в принятии "
        "решения неизвестны, ценности менее надёжны.",
    ),
    "wi_rb_mean": ("Best value, average", "Лучшая ценность, в среднем"),
    "wi_rb_mean_help": (
        "The average, over the draws, of the best plan's weighted value.",
        "Среднее по выборкам значение взвешенной ценности лучшего плана.",
    ),
    "wi_rb_band": ("Best value, 90% of draws", "Лучшая ценность, 90 % выборок"),
    "wi_rb_band_help": (
        "5th to 95th percentile of the best value over the draws.",
        "От 5-го до 95-го процентиля лучшей ценности по выборкам.",
    ),
    "wi_rb_regret": ("Regret of this plan, average", "Упущенное этим планом, в среднем"),
    "wi_rb_regret_help": (
        "How much less this plan is worth than the best plan for each draw, "
        "as a share of the best.",
        "Насколько этот план хуже лучшего для каждой выборки, в долях лучшего.",
    ),
    "wi_rb_regret_worst": ("Regret, worst draw", "Упущенное, худшая выборка"),
    "wi_rb_regret_worst_help": (
        "The largest shortfall of this plan over all draws.",
        "Наибольшее отставание этого плана по всем выборкам.",
    ),
    "wi_rb_summary": (
        "{draws} draws, seed {seed}; regret in points: 95th percentile {p95}, "
        "worst {max}; ranges widened for {widened} clients.",
        "Выборок: {draws}, начальное число (seed) {seed}; упущенное в баллах: 95-й процентиль "
        "{p95}, худшее {max}; диапазоны расширены для клиентов: {widened}.",
    ),
    # ---- plans that hold up (ui/robust_view.py) ---------------------------------------------
    "ro_heading": (
        "A plan that holds up when the values are wrong",
        "План, который выдержит ошибки в оценках ценности",
    ),
    "ro_intro": (
        "The values are estimates. Instead of the plan for the values as given, choose the "
        "plan that keeps the most when the worst surprises happen, or the best average over "
        "the worst draws, and see what that safety costs in points.",
        "Ценности — это оценки. Вместо плана под заданные ценности выберите план, который "
        "сохранит больше всего при худших неожиданностях или даст лучшее среднее по худшим "
        "выборкам, и посмотрите, сколько баллов стоит такая надёжность.",
    ),
    "ro_needs_max_value": (
        "Protection is about the plan's value: switch the mode to the most value to use it.",
        "Защита касается ценности плана: чтобы ею воспользоваться, выберите режим наибольшей "
        "ценности.",
    ),
    "ro_kind": ("Plan for", "Критерий плана"),
    "ro_kind_robust": ("The N worst surprises", "N худших неожиданностей"),
    "ro_kind_cvar": ("The worst share of the draws", "Худшая доля выборок"),
    "ro_kind_expected": ("The average of the draws", "Среднее по выборкам"),
    "ro_kind_help": (
        "Worst surprises: any N cells with a range fall to their low value. Worst share: "
        "the mean of the worst draws (CVaR). Average: the mean over the draws, which differs "
        "from the value as given when a range is not symmetric.",
        "Худшие неожиданности: любые N ячеек с диапазоном падают до нижней оценки. Худшая "
        "доля: среднее по худшим выборкам (CVaR). Среднее: среднее по всем выборкам; оно "
        "отличается от заданной ценности, если диапазон несимметричен.",
    ),
    "ro_protect": ("Surprises to withstand (N)", "Сколько неожиданностей выдержать (N)"),
    "ro_protect_help": (
        "How many cells may turn out at their low value at the same time (Gamma).",
        "Сколько ячеек могут одновременно оказаться на нижней оценке (Гамма).",
    ),
    "ro_per_client": ("N in each client", "N у каждого клиента"),
    "ro_per_client_help": (
        "Up to N surprises in every client instead of N over the whole plan.",
        "До N неожиданностей у каждого клиента, а не N на весь план.",
    ),
    "ro_alpha": ("Worst share of the draws", "Доля худших выборок"),
    "ro_alpha_help": (
        "0.1: the plan with the best average over its worst 10% of draws.",
        "0,1: план с лучшим средним по худшим 10 % выборок.",
    ),
    "ro_draws": ("Draws", "Выборки"),
    "ro_draws_help": (
        "The same seeded draws as the robustness check below (one LP row each).",
        "Те же выборки и начальное число (seed), что и в проверке надёжности ниже "
        "(по строке LP на каждую).",
    ),
    "ro_computing": ("Computing…", "Считаем…"),
    "ro_run_compare": ("Compare with the plan as given", "Сравнить с обычным планом"),
    "ro_run_curve": ("Draw the curve of N", "Построить кривую по N"),
    "ro_given_up": ("Points given up", "Отданные баллы"),
    "ro_given_up_help": (
        "What the protected plan is worth less than the plan for the values as given, "
        "if the values are right.",
        "На сколько защищённый план дешевле обычного, если ценности оценены верно.",
    ),
    "ro_gained_robust": ("Value after the worst surprises", "При худших неожиданностях"),
    "ro_gained_cvar": ("Average of the worst draws", "Среднее по худшим выборкам"),
    "ro_gained_expected": ("Average over the draws", "Среднее по выборкам"),
    "ro_gained_help": (
        "The protected plan's value under its objective; the change is against the plan for "
        "the values as given.",
        "Ценность защищённого плана по его критерию; изменение — относительно обычного плана.",
    ),
    "ro_worst_decile": ("Worst 10% of fresh draws", "Худшие 10 % новых выборок"),
    "ro_worst_decile_help": (
        "The average of the worst tenth of draws with another seed than the plan's own.",
        "Среднее по худшей десятой части выборок с другим начальным числом (seed), "
        "чем у самого плана.",
    ),
    "ro_regret_mean": ("Average regret, fresh draws", "Среднее упущенное"),
    "ro_regret_mean_help": (
        "How far the plan falls short of the best plan of each fresh draw, in points.",
        "Насколько в среднем план уступает лучшему плану каждой новой выборки, в баллах.",
    ),
    "ro_compare_summary": (
        "At the values as given: {nominal} → {robust} points. Under the objective: "
        "{nominal_obj} → {robust_obj}. Fresh draws: {draws}, seed {seed}.",
        "При заданных ценностях: {nominal} → {robust} баллов. По критерию плана: "
        "{nominal_obj} → {robust_obj}. Новые выборки: {draws}, начальное число (seed) {seed}.",
    ),
    "ro_moves_heading": ("**Cells that move: {n}**", "**Ячейки, которые меняются: {n}**"),
    "ro_no_moves": (
        "The protected plan is the plan for the values as given.",
        "Защищённый план совпадает с обычным.",
    ),
    "ro_units_nominal": ("Units, as given", "Единицы, обычный план"),
    "ro_units_robust": ("Units, protected", "Единицы, защищённый план"),
    "ro_units_change": ("Change", "Изменение"),
    "ro_plan_nominal": ("Plan for the values as given", "Обычный план"),
    "ro_plan_robust": ("Protected plan", "Защищённый план"),
    "ro_value_nominal": ("Value at the values as given", "Ценность при заданных ценностях"),
    "ro_value_protected": (
        "Value after the N worst surprises",
        "Ценность после N худших неожиданностей",
    ),
    "ro_value_axis": ("Weighted value (points)", "Взвешенная ценность (баллы)"),
    "ro_gamma_axis": ("N (surprises withstood)", "N (выдерживаемые неожиданности)"),
    "ro_cells_changed": ("cells changed", "изменённых ячеек"),
    "ro_curve_title": ("The price of protection", "Цена защиты"),
    "ro_draws_axis": ("Draws", "Выборки"),
    "ro_fresh_title": (
        "Both plans on {draws} fresh draws (seed {seed})",
        "Оба плана на {draws} новых выборках (начальное число (seed) {seed})",
    ),
    "ro_regret_axis": ("Regret (points)", "Упущенное (баллы)"),
    "ro_regret_title": ("Regret on the fresh draws", "Упущенное на новых выборках"),
    "ro_scope_all": ("over the whole plan", "на весь план"),
    "ro_scope_client": ("in each client", "у каждого клиента"),
    "ro_curve_summary": (
        "{points} values of N from 0 to {top} ({scope}; {cells} cells have a range), "
        "{seconds} s. Full protection gives up {lost} points at the values as given.",
        "{points} значений N от 0 до {top} ({scope}; ячеек с диапазоном: {cells}), "
        "{seconds} с. Полная защита отдаёт {lost} баллов при заданных ценностях.",
    ),
    "wi_rb_title": ("Value over the draws", "Ценность по выборкам"),
    "wi_rb_best": ("Best plan for the draw", "Лучший план для выборки"),
    "wi_rb_nominal": ("This plan in the draw", "Этот план в выборке"),
    "wi_rb_as_planned": ("as planned", "по плану"),
    "wi_rb_draws_axis": ("draws", "выборки"),
    "wi_rb_cells_title": (
        "Methods funded in some draws only: how often",
        "Методы, профинансированные не во всех выборках: как часто",
    ),
    "wi_rb_in_plan": ("in the plan on screen", "в плане на экране"),
    "wi_rb_not_in_plan": ("not in the plan on screen", "не в плане на экране"),
    "wi_rb_share_axis": (
        "share of draws in which it is funded",
        "доля выборок, где метод профинансирован",
    ),
    "wi_rb_all_stable": (
        "Every method is funded in all draws or in none: the plan does not "
        "depend on the uncertain values.",
        "Каждый метод профинансирован либо во всех выборках, либо ни в "
        "одном: план не зависит от неопределённых ценностей.",
    ),
    "cmp_no_plan": ("{name} has no plan ({status}).", "У варианта «{name}» нет плана ({status})."),
    "cmp_vs": ("vs {name}", "к «{name}»"),
    "cmp_metric": ("Measure", "Показатель"),
    "cmp_change": ("Change", "Изменение"),
    "cmp_change_pct": ("Change, %", "Изменение, %"),
    "cmp_kpi_objective": ("Weighted value (points)", "Взвешенная ценность (баллы)"),
    "cmp_kpi_total_value": ("Total perceived value", "Общая воспринимаемая ценность"),
    "cmp_kpi_money_spent": ("Money spent", "Потрачено денег"),
    "cmp_kpi_funded_cells": ("Funded client × method cells", "Профинансировано пар клиент × метод"),
    "cmp_kpi_clients_reached": ("Clients with some value", "Клиентов с ненулевой ценностью"),
    "cmp_kpi_lowest_share": (
        "Lowest client share of attainable value",
        "Наименьшая доля достижимой ценности у клиента",
    ),
    "cmp_kpi_mean_share": (
        "Average client share of attainable value",
        "Средняя доля достижимой ценности у клиента",
    ),
    "cmp_kpi_used": ("{pool} used", "{pool}: использовано"),
    "cmp_kpi_price": (
        "{pool}: value of {amount} {unit} more (points)",
        "{pool}: ценность ещё {amount} {unit} (баллы ценности)",
    ),
    "pp": ("{x} p.p.", "{x} п. п."),
    "cmp_chart_title": ("Value per client, and the change", "Ценность по клиентам и изменение"),
    "cmp_cells_title": (
        "Methods whose funding changed: {n}",
        "Методов с изменённым финансированием: {n}",
    ),
    "cmp_units_of": ("Units, {name}", "Единицы, {name}"),
    "cmp_value_of": ("Value, {name}", "Ценность, {name}"),
    "cmp_delta_units": ("Change in units", "Изменение единиц"),
    "cmp_delta_value": ("Change in value", "Изменение ценности"),
    "cmp_change_new": ("newly funded", "впервые профинансирован"),
    "cmp_change_dropped": ("dropped", "исключён"),
    "cmp_change_more": ("more", "больше"),
    "cmp_change_fewer": ("fewer", "меньше"),
    "cmp_change_same": ("same", "без изменений"),
    "cmp_inputs_title": ("Inputs that differ: {n}", "Различающихся исходных данных: {n}"),
    "cmp_table": ("Table", "Таблица"),
    "cmp_key": ("Row", "Строка"),
    "cmp_column": ("Column", "Столбец"),
    "cmp_input_changed": ("changed", "изменено"),
    "cmp_input_added": ("added", "добавлено"),
    "cmp_input_removed": ("removed", "удалено"),
    "sc_intro": (
        "Save the inputs and the plan under a name, come back to them, and compare "
        "two side by side.",
        "Сохраняйте исходные данные и план под именем, возвращайтесь к ним и "
        "сравнивайте два варианта рядом.",
    ),
    "sc_where": ("Scenarios are kept in {path}", "Сценарии хранятся в файле {path}"),
    "sc_db_change": ("Use another scenario file", "Другой файл сценариев"),
    "sc_db_path": ("Scenario file (SQLite)", "Файл сценариев (SQLite)"),
    "sc_db_help": (
        "Leave empty for the default file in your user data folder. A file on a "
        "shared drive lets a team share scenarios.",
        "Оставьте пустым для файла по умолчанию в папке данных пользователя. Файл "
        "на общем диске позволяет команде делиться сценариями.",
    ),
    "sc_store_error": (
        "The scenario file cannot be used: {error}",
        "Файл сценариев использовать нельзя: {error}",
    ),
    "sc_store_off": (
        "The file was not changed. Everything else works as usual; choose another "
        "scenario file above to save scenarios.",
        "Файл не изменён. Всё остальное работает как обычно; чтобы сохранять "
        "сценарии, выберите выше другой файл.",
    ),
    "sc_error": ("Not done: {error}", "Не выполнено: {error}"),
    "sc_err_exists_hint": (
        " (tick 'Replace' to overwrite it).",
        " (отметьте «Заменить», чтобы перезаписать).",
    ),
    "sc_save_title": ("Save the current plan", "Сохранить текущий план"),
    "sc_save_needs_inputs": (
        "The inputs have errors: fix them before saving a scenario.",
        "В исходных данных есть ошибки: исправьте их, прежде чем сохранять сценарий.",
    ),
    "sc_default_name": ("Plan {when}", "План {when}"),
    "sc_name": ("Name", "Название"),
    "sc_overwrite": ("Replace a scenario of the same name", "Заменить сценарий с тем же именем"),
    "sc_notes": ("Notes", "Заметки"),
    "sc_notes_help": (
        "Open problems, agreements, anything the planning meeting should know.",
        "Нерешённые проблемы, договорённости — всё, что нужно знать на совещании.",
    ),
    "sc_client_notes": ("Notes per client ({n} written)", "Заметки по клиентам (заполнено: {n})"),
    "sc_note": ("Note", "Заметка"),
    "sc_save": ("Save scenario", "Сохранить сценарий"),
    "sc_saved": ("Saved '{name}' in {path}.", "Сценарий «{name}» сохранён в файле {path}."),
    "sc_saves_to": ("Saves to {path}", "Сохраняется в файл {path}"),
    "sc_list_title": ("Saved scenarios ({n})", "Сохранённые сценарии ({n})"),
    "sc_none": ("No scenario saved yet.", "Сохранённых сценариев пока нет."),
    "sc_saved_at": ("Saved", "Сохранён"),
    "sc_status": ("Status", "Статус"),
    "sc_pick": ("Scenario", "Сценарий"),
    "sc_detail": (
        "Saved {saved} UTC; inputs {fingerprint}",
        "Сохранён {saved} UTC; данные {fingerprint}",
    ),
    "sc_kpis": (
        "Total perceived value {value}, weighted value {weighted} points, {money} {currency} "
        "spent, {cells} methods funded.",
        "Общая воспринимаемая ценность {value}, взвешенная ценность {weighted} баллов, "
        "потрачено {money} {currency}, "
        "профинансировано методов: {cells}.",
    ),
    "sc_no_plan": ("No plan: {status}.", "Плана нет: {status}."),
    "sc_load": ("Load into the dashboard", "Загрузить в панель"),
    "sc_load_help": (
        "Replaces the current inputs with this scenario's (save them first if you need them).",
        "Заменяет текущие данные данными сценария (сохраните их сначала, если они нужны).",
    ),
    "sc_loaded": ("Loaded '{name}'.", "Сценарий «{name}» загружен."),
    "sc_new_name": ("New name", "Новое название"),
    "sc_rename": ("Rename", "Переименовать"),
    "sc_renamed": ("Renamed '{old}' to '{new}'.", "«{old}» переименован в «{new}»."),
    "sc_copy_name": ("Name of the copy", "Название копии"),
    "sc_copy_default": ("{name} (copy)", "{name} (копия)"),
    "sc_duplicate": ("Duplicate", "Копировать"),
    "sc_duplicated": ("Copied '{old}' to '{new}'.", "«{old}» скопирован в «{new}»."),
    "sc_confirm_delete": ("Yes, delete '{name}'", "Да, удалить «{name}»"),
    "sc_confirm_first": (
        "Tick the box to confirm the deletion first.",
        "Сначала отметьте флажок, подтверждающий удаление.",
    ),
    "sc_delete": ("Delete", "Удалить"),
    "sc_deleted": ("Deleted '{name}'.", "Сценарий «{name}» удалён."),
    "sc_compare_title": ("Compare two", "Сравнить два сценария"),
    "sc_compare_a": ("A (before)", "A (было)"),
    "sc_compare_b": ("B (after)", "B (стало)"),
    "sc_current": ("Current plan (not saved)", "Текущий план (не сохранён)"),
    "sc_compare_needs_two": (
        "Save a scenario to compare it with the current plan.",
        "Сохраните сценарий, чтобы сравнить его с текущим планом.",
    ),
    "sc_compare_same": ("Pick two different scenarios.", "Выберите два разных сценария."),
    # ---- exact reasons: what a needed value or a whole-units price is ---------------------
    "col_needed_kind": ("What the needed value is", "Что это за значение"),
    "needed_kind_exact": ("threshold (re-solved)", "порог (проверен пересчётом)"),
    "needed_kind_bound": ("at least (bound from prices)", "не меньше (оценка снизу по ценам)"),
    "needed_kind_estimate": (
        "estimate from prices, not a threshold",
        "приближённо по ценам, не порог",
    ),
    "col_price_step": ("Step re-solved", "Шаг пересчёта"),
    "col_step_price": (
        "Value of one more step (points per unit, re-solved)",
        "Ценность ещё одного шага (баллов за единицу, пересчёт)",
    ),
    "needed_caption_exact": (
        "A threshold is the smallest first-unit value at which the plan takes some of the next "
        "unit, found by re-solving (within 0.01%), the client's floor following the value.",
        "Порог — наименьшая ценность первой единицы, при которой план берёт часть следующей "
        "единицы; найден пересчётом (с точностью 0,01 %), минимальная доля клиента следует "
        "за ценностью.",
    ),
    "needed_caption_bound": (
        "This plan is too large to re-solve every cell: a value marked 'at least' is a bound "
        "from the prices (the true threshold is no lower), one marked 'about' an estimate.",
        "План слишком велик, чтобы пересчитать каждую ячейку: значение «не меньше» — оценка "
        "снизу по ценам (настоящий порог не ниже), «примерно» — приближённая оценка.",
    ),
    "needed_caption_estimate": (
        "In whole units (or at least cost) the needed values are estimates from the prices "
        "of the LP with the chosen units fixed, not thresholds.",
        "В целых единицах (или при минимуме затрат) нужные ценности — приближённые оценки по "
        "ценам задачи с закреплёнными единицами, а не пороги.",
    ),
}

# ---- uploads: damaged files and limits -------------------------------------------------------
TEXT.update(
    {
        "upload_reading": ("Reading {files}…", "Чтение {files}…"),
        "upload_refused": (
            "{files} could not be read (see below); the inputs, your edits and the plan are "
            "unchanged.",
            "{files} не удалось прочитать (см. ниже); исходные данные, ваши правки и план "
            "не изменены.",
        ),
        "upload_failed": (
            "{files} could not be read ({error}); the inputs, your edits and the plan are "
            "unchanged.",
            "{files} не удалось прочитать ({error}); исходные данные, ваши правки и план "
            "не изменены.",
        ),
        "upload_limits": (
            "Up to {mb:d} MB per file and {rows:d} rows per table.",
            "До {mb:d} МБ на файл и до {rows:d} строк на таблицу. Кнопка Upload и подпись в "
            "поле загрузки — стандартные элементы Streamlit и остаются на английском.",
        ),
    }
)

PAGE_TEXTS: Catalogue = ChainMap(TEXT, CATALOG)


# ---- safety: user text inside Markdown ------------------------------------------------------
# A backslash before an ASCII punctuation character shows the character itself (CommonMark).
# Escaped everywhere: what makes links, images, HTML, emphasis, code, headings, tables, LaTeX
# (`$`), emoji and colour directives (`:...:`) and autolinks (`https:`, `a@b.c`, `www.`); at
# the start of a line also list, quote and heading-underline markers. The page then shows
# exactly what was typed, with nothing fetched or clickable.
_MD_INLINE = re.compile(
    # '_' between two letters or digits is inert (CommonMark), so paths and ids stay as typed.
    r"[\\`*\[\]<>#!|~$:@]|_(?![^\W_])|(?<![^\W_])_|&(?=#?\w+;)|(?<=www)\.",
    re.IGNORECASE,
)
_MD_LINE_START = re.compile(r"^([ \t]*)([-+=]|\d+[.)])", re.MULTILINE)
# A number the page has already formatted ("9,716.21", "-3.5", "12%") carries no Markdown.
_FORMATTED_NUMBER = re.compile(r"[-+\u2212]?[\d\s.,\u00a0\u202f]*%?|\u2013")


def md_text(text: object) -> str:
    """User text (a name, an open problem, a note, a file name) to put into a Markdown string
    (st.markdown, st.info, st.caption, a label or a help text): shown literally."""
    out = _MD_INLINE.sub(lambda m: "\\" + m.group(), str(text))
    return _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], out)


@dataclass(frozen=True)
class MarkdownTranslator(Translator):
    """`t.md(key, **params)`: the catalogue's template keeps its Markdown; every text value
    put into it (and into the engine's messages it renders) is escaped with `md_text`.
    Numbers, and numbers the page has already formatted, are shown as usual."""

    def _field(self, value: Any, spec: str, memo: dict[int, str] | None) -> str:
        if isinstance(value, Message) or value is None:
            return super()._field(value, spec, memo)
        if isinstance(value, (list, tuple)):
            items = [v if isinstance(v, Message) else md_text(v) for v in value]
            return super()._field(items, spec, memo)
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            return super()._field(value, spec, memo)
        if isinstance(value, str) and _FORMATTED_NUMBER.fullmatch(value):
            return super()._field(value, spec, memo)
        return md_text(super()._field(value, spec, memo))


TEXT.update(
    {
        "sc_dir_refused": (
            "Scenario files can only be kept in {folder}: '{path}' is outside it.",
            "Файлы сценариев можно хранить только в папке {folder}: «{path}» находится вне её.",
        ),
        "sc_db_help_folder": (
            "A file name, or a path inside {folder} (the folder this server keeps scenario "
            "files in). Leave empty for the default file.",
            "Имя файла или путь внутри папки {folder} (в ней этот сервер хранит файлы "
            "сценариев). Оставьте пустым для файла по умолчанию.",
        ),
        "sc_dir_caption": (
            "Scenario files live in {folder}.",
            "Файлы сценариев хранятся в папке {folder}.",
        ),
    }
)


# ---- long lists of input problems ------------------------------------------------------------
TEXT.update(
    {
        "issues_download_all": (
            "Download all {n:d} problems (CSV)",
            "Скачать все проблемы ({n:d}, CSV)",
        ),
    }
)


# ---- many clients: the client chooser, collapsed lists, prepared downloads -------------------
TEXT.update(
    {
        "clients_shown": ("Clients shown", "Показать клиентов"),
        "clients_top": ("Top {n} by value", "Первые {n} по ценности"),
        "clients_all": ("All ({n:d})", "Все ({n:d})"),
        "clients_segment": ("Segments", "Сегменты"),
        "clients_segment_any": ("Every segment", "Все сегменты"),
        "clients_search": ("Search by client name", "Поиск по названию клиента"),
        "clients_search_help": (
            "Part of a client's name or id, in any case.",
            "Часть названия или кода клиента, регистр не важен.",
        ),
        "clients_count": (
            "Showing {shown} of {matched} matching clients ({total} in the plan).",
            "Показано {shown} из {matched} подходящих клиентов (всего в плане: {total}).",
        ),
        "clients_none": (
            "No client matches the segments and the search.",
            "Ни один клиент не подходит под выбранные сегменты и поиск.",
        ),
        "list_all": ("Show all {n}", "Показать все ({n})"),
        "list_more": ("and {n} more", "и ещё {n}"),
        "col_blocked_by": ("Blocking limit", "Что ограничивает"),
        "export_prepare": ("Prepare: {what}", "Подготовить: {what}"),
        "export_prepare_help": (
            "A large plan takes a while to write: the page shows the progress, and you can "
            "stop it.",
            "Большой план записывается не сразу: страница показывает ход работы, её можно "
            "остановить.",
        ),
        "export_building": ("Writing {what}… {seconds} s", "Записываем: {what}… {seconds} с"),
        "export_stop": ("Stop writing", "Остановить запись"),
        "export_stopped": (
            "Stopped: {what} was not written.",
            "Остановлено: {what} — файл не записан.",
        ),
        "export_ready": ("Ready: {what} ({size})", "Готово: {what} ({size})"),
        "export_download": ("Download: {what}", "Скачать: {what}"),
        "report_top_clients": (
            "top {n} of {total:d} clients by value",
            "первые {n} из {total:d} клиентов по ценности",
        ),
    }
)


# ---- team mode: sign-in, the shared plan, the Team tab ---------------------------------------
TEXT.update(
    {
        "tab_team": ("Team", "Команда"),
        "team_sign_in_intro": (
            "This is your team's shared plan. Sign in to see the clients you work on.",
            "Это общий план вашей команды. Войдите, чтобы увидеть своих клиентов.",
        ),
        "team_sign_in": ("Sign in", "Войти"),
        "team_sign_out": ("Sign out", "Выйти"),
        "team_not_member": (
            "You are signed in as {email}, who is not a member of this team. Ask the sales "
            "director to add you.",
            "Вы вошли как {email}, но этого адреса нет в команде. Попросите коммерческого "
            "директора добавить вас.",
        ),
        "team_db_error": ("The team's database: {error}", "База данных команды: {error}"),
        "team_signed_in": ("Signed in as {email} ({role})", "Вы вошли как {email} ({role})"),
        "team_settings_read_only": (
            "The plan settings and pools are the team's: only a director changes them.",
            "Настройки плана и ресурсы общие для команды: менять их может только директор.",
        ),
        "team_read_only": (
            "You can read this plan; only directors and planners edit it.",
            "Вы можете просматривать этот план; редактируют его только директор и менеджеры "
            "по ключевым клиентам.",
        ),
        "team_role_director": ("director", "директор"),
        "team_role_planner": ("account planner", "менеджер по ключевым клиентам"),
        "team_role_viewer": ("viewer", "наблюдатель"),
        "team_saved": (
            "Saved to the shared plan: {n:d} cell(s).",
            "Сохранено в общем плане ячеек: {n:d}.",
        ),
        "team_rows_fixed": (
            "{table}: rows are added, removed or renamed by importing a bundle into the shared "
            "plan (workspace import); the table is back as the shared plan has it.",
            "{table}: строки добавляются, удаляются и переименовываются только импортом набора "
            "данных в общий план (workspace import); таблица возвращена к общему плану.",
        ),
        "team_conflict": (
            "Not saved: {table} {key}, {column}. {set_by} changed it to '{current}' at "
            "{set_at} (UTC), after you saw '{seen}'. Your value '{value}' is kept below: save "
            "it over theirs, or discard it.",
            "Не сохранено: {table} {key}, {column}. {set_by} изменил значение на «{current}» "
            "({set_at} UTC) после того, как вы видели «{seen}». Ваше значение «{value}» "
            "сохранено ниже: запишите его поверх или отмените.",
        ),
        "team_your_value": ("Your value", "Ваше значение"),
        "team_retry": ("Save my value", "Записать моё значение"),
        "team_discard": ("Discard", "Отменить"),
        "team_refused": (
            "Not saved: {table} {key}, {column} = '{value}': {reason}",
            "Не сохранено: {table} {key}, {column} = «{value}»: {reason}",
        ),
        "team_stale": (
            "The shared inputs changed since this plan was solved: {n:d} change(s) by {who}.",
            "Общие исходные данные изменились после расчёта этого плана: изменений — {n:d}, "
            "кто изменил: {who}.",
        ),
        "team_stale_shared": (
            "The shared plan changed since this plan was solved (pools' prices may move).",
            "Общий план изменился после расчёта этого плана (цены ресурсов могут сдвинуться).",
        ),
        "team_reload": ("Load the latest and re-solve", "Загрузить свежие данные и пересчитать"),
        "team_changes_title": ("What changed", "Что изменилось"),
        "team_since": ("Since", "С момента"),
        "team_since_scenario": ("a saved scenario", "сохранённого сценария"),
        "team_since_date": ("a date", "даты"),
        "team_no_changes": ("No changes since then.", "С тех пор изменений нет."),
        "team_download_changes": (
            "Download the plan with these changes (.xlsx)",
            "Скачать план с этими изменениями (.xlsx)",
        ),
        "team_changes_count": (
            "{n:d} change(s), by {who}.",
            "Изменений: {n:d}; кто изменил: {who}.",
        ),
        "team_import": ("(bundle import)", "(импорт набора данных)"),
        "team_col_at": ("When (UTC)", "Когда (UTC)"),
        "team_col_who": ("Who", "Кто"),
        "team_col_table": ("Table", "Таблица"),
        "team_col_row": ("Row", "Строка"),
        "team_col_column": ("Column", "Столбец"),
        "team_col_old": ("Old value", "Было"),
        "team_col_new": ("New value", "Стало"),
        "team_col_client": ("Client", "Клиент"),
        "team_col_before": ("Points then", "Баллы тогда"),
        "team_col_after": ("Points now", "Баллы сейчас"),
        "team_col_delta": ("Change", "Изменение"),
        "team_plan_change_title": (
            "**The plan's change since {name}**",
            "**Как изменился план со сценария {name}**",
        ),
        "team_plan_change_since_date": (
            "**The plan's change since {date}** (the shared inputs as they were then, "
            "rebuilt from the change list)",
            "**Как изменился план с {date}** (общие данные на ту дату восстановлены по "
            "журналу изменений)",
        ),
        "team_plan_then_invalid": (
            "The shared inputs as they were on {date} had errors, so there is no plan of "
            "that day to compare with.",
            "В общих данных на {date} были ошибки, поэтому плана на ту дату для сравнения нет.",
        ),
        "team_plan_total": ("Weighted value now", "Взвешенная ценность сейчас"),
        "team_plan_same": (
            "Every client's weighted value is as it was.",
            "Взвешенная ценность каждого клиента не изменилась.",
        ),
        "team_members_title": ("Members", "Участники"),
        "team_col_email": ("E-mail", "Эл. почта"),
        "team_col_role": ("Role", "Роль"),
        "team_col_clients": ("Clients (account planners)", "Клиенты (для менеджеров)"),
        "team_member_save": ("Add or change member", "Добавить или изменить участника"),
        "team_member_added": ("Added {email}.", "Участник {email} добавлен."),
        "team_member_saved": ("Changed {email}.", "Участник {email} изменён."),
        "team_member_remove_who": ("Member to remove", "Кого удалить"),
        "team_member_remove": ("Remove", "Удалить"),
        "team_member_removed": ("Removed {email}.", "Участник {email} удалён."),
    }
)
