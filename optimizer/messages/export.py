"""Catalogue section: the export texts (code -> (English, Russian)).

Every word of the workbook, the HTML report, the charts and the per-client plans
(optimizer/export/). The exports format numbers themselves (rounded by the format spec of their
English output, written with the language's signs) and pass them here as text; counts are
`{n:i}`. The user's own names (clients, methods, pools, units) are parameters and stay as typed.
The bundle's own table and column names (the input sheets, the CSV columns, the JSON keys) are
identifiers, not words: they are the same in every language and are not here.
"""

from .catalog import register

TEXTS: dict[str, tuple[str, str]] = {
    # ---- the whole export ------------------------------------------------------------------
    "report_title": ("Risk-reduction plan", "План снижения рисков"),
    "export_another_client": ("[another client]", "[другой клиент]"),
    "export_unnamed": ("(unnamed)", "(без названия)"),
    "export_yes": ("yes", "да"),
    "export_no": ("no", "нет"),
    "export_unknown": ("unknown", "неизвестно"),
    "export_total": ("Total", "Итого"),
    "export_page_title": ("{title} - {name}", "{title} - {name}"),
    # ---- errors ----------------------------------------------------------------------------
    "report_no_plan": (
        "No plan to export: the solve ended '{status}'.",
        "Нечего экспортировать: расчёт завершился со статусом «{status}».",
    ),
    "export_unknown_type": (
        "'{path}': unknown file type '{ext}'; use one of {types:,}",
        "«{path}»: неизвестный тип файла «{ext}»; используйте один из: {types:,}",
    ),
    "export_no_extension": ("(none)", "(нет)"),
    "export_unknown_format": (
        "unknown export format '{format}' (formats: {formats:,})",
        "неизвестный формат экспорта «{format}» (форматы: {formats:,})",
    ),
    "export_not_a_client": (
        "'{client}' is not a client of this plan",
        "«{client}» — не клиент этого плана",
    ),
    "export_not_clients": (
        "not clients of this plan: {clients:,}",
        "не клиенты этого плана: {clients:,}",
    ),
    "export_plans_need_folder": (
        "'{path}' is a file; client plans need a folder",
        "«{path}» — файл; для планов клиентов нужна папка",
    ),
    "export_is_folder": (
        "'{path}' is a folder; give a file name",
        "«{path}» — папка; укажите имя файла",
    ),
    # ---- the header of every file ----------------------------------------------------------
    "report_scenario": ("Scenario", "Сценарий"),
    "export_exported": ("Exported", "Выгружено"),
    "export_fingerprint": ("Input fingerprint", "Отпечаток исходных данных"),
    "export_status": ("Status", "Статус"),
    "export_solver": ("Solver", "Решатель"),
    "export_solve_time": ("Solve time (s)", "Время расчёта (с)"),
    "export_gap": ("Gap", "Разрыв"),
    "export_gap_na": ("n/a", "н/д"),
    "export_plan_for": ("Plan for", "Цель плана"),
    "export_currency": ("Currency", "Валюта"),
    # what the plan maximised (optimizer/robust.py)
    "export_objective": ("Objective", "Критерий плана"),
    "export_objective_nominal": ("the values as assessed", "ценности в том виде, как они оценены"),
    "export_objective_robust": (
        "protected against the {protect:g} worst surprises{scope} (Gamma){widen}",
        "защита от худших неожиданностей: {protect:g}{scope} (Гамма){widen}",
    ),
    "export_objective_per_client": (" in each client", " у каждого клиента"),
    "export_objective_cvar": (
        "the mean of the worst {alpha:.0%} of {draws:i} draws (CVaR, seed {seed:i}){widen}",
        "среднее по худшим {alpha:.0%} из {draws:i} выборок "
        "(CVaR, начальное число (seed) {seed:i}){widen}",
    ),
    "export_objective_expected": (
        "the mean over {draws:i} draws (seed {seed:i}){widen}",
        "среднее по {draws:i} выборкам (начальное число (seed) {seed:i}){widen}",
    ),
    "export_objective_checklist": (
        "; ranges widened by the relationship checklist",
        "; диапазоны расширены по чек-листу работы с клиентом",
    ),
    "export_objective_widened": (
        "; ranges of {clients:,} widened by hand",
        "; диапазоны расширены вручную: {clients:,}",
    ),
    "export_mode": ("{mode}; {units}", "{mode}; {units}"),
    "export_mode_min_cost": (
        "least cost for a value target of {share} of the best attainable",
        "наименьшие затраты при цели {share} от наилучшей достижимой ценности",
    ),
    "export_mode_max_value": (
        "most value within the pools",
        "наибольшая ценность в пределах ресурсов",
    ),
    "export_mode_whole": ("whole units", "целые единицы"),
    "export_mode_fractions": ("fractions of units allowed", "допускаются доли единиц"),
    "report_notes": ("Notes", "Заметки"),
    "export_why_no_plan": ("Why there is no plan", "Почему нет плана"),
    # ---- key figures -----------------------------------------------------------------------
    "export_key_figures": ("Key figures", "Основные показатели"),
    "export_kpi_objective_cost": (
        "Money spent (objective, {currency})",
        "Потрачено денег (цель, {currency})",
    ),
    "export_kpi_objective_value": (
        "Weighted value (points, objective)",
        "Взвешенная ценность (баллы, цель)",
    ),
    "export_kpi_total_value": (
        "Total perceived value",
        "Общая воспринимаемая ценность",
    ),
    "export_kpi_weighted_value": ("Weighted value (points)", "Взвешенная ценность (баллы)"),
    "export_kpi_money": ("Money spent ({currency})", "Потрачено денег ({currency})"),
    "export_kpi_funded_cells": (
        "Funded client x method cells",
        "Профинансированные пары клиент × метод",
    ),
    "export_kpi_offered_cells": (
        "Offered client x method cells",
        "Предложенные пары клиент × метод",
    ),
    "export_kpi_reached": ("Clients reached", "Охвачено клиентов"),
    "export_kpi_clients": ("Clients", "Клиентов"),
    "export_kpi_share": ("Share of attainable value delivered", "Доля достижимой ценности в плане"),
    "export_kpi_protected": (
        "Protected value (the worst surprises happen)",
        "Защищённая ценность (при худших неожиданностях)",
    ),
    "export_kpi_cvar": (
        "Mean value of the worst {alpha:.0%} of the draws",
        "Средняя ценность худших {alpha:.0%} выборок",
    ),
    "export_kpi_expected": ("Mean value over the draws", "Средняя ценность по выборкам"),
    "export_kpi_bound": (
        "Continuous bound (fractions of units allowed)",
        "Граница непрерывной задачи (доли единиц допускаются)",
    ),
    "export_kpi_target": (
        "Value target the plan had to reach",
        "Цель по ценности, которой план должен был достичь",
    ),
    # ---- sheets and columns ----------------------------------------------------------------
    "export_sheet_summary": ("Summary", "Сводка"),
    "export_sheet_grid_units": ("Grid - units", "Сетка - единицы"),
    "export_sheet_grid_value": ("Grid - value", "Сетка - ценность"),
    "export_sheet_allocation": ("Allocation", "Распределение"),
    "export_sheet_by_client": ("By client", "По клиентам"),
    "export_sheet_by_method": ("By method", "По методам"),
    "export_sheet_not_funded": ("Not funded", "Не профинансировано"),
    "export_sheet_changes": ("Changes", "Изменения"),
    "export_changes_since": (
        "Changes to the shared inputs since {name}",
        "Изменения общих исходных данных с {name}",
    ),
    "export_col_changed_at": ("When (UTC)", "Когда (UTC)"),
    "export_col_changed_by": ("Who", "Кто"),
    "export_col_table": ("Table", "Таблица"),
    "export_col_row": ("Row", "Строка"),
    "export_col_column": ("Column", "Столбец"),
    "export_col_old": ("Old value", "Было"),
    "export_col_new": ("New value", "Стало"),
    "export_pools": ("Pools", "Ресурсы"),
    "export_col_pool": ("Pool", "Ресурс"),
    "export_col_unit": ("Unit", "Единица"),
    "export_col_capacity": ("Capacity", "Лимит"),
    "export_col_used": ("Used", "Использовано"),
    "export_col_slack": ("Slack", "Остаток"),
    "export_col_use": ("Use", "Загрузка"),
    "export_col_shadow_price": (
        "Shadow price (value of one more unit)",
        "Теневая цена (ценность ещё одной единицы)",
    ),
    "export_col_client_id": ("Client id", "Код клиента"),
    "export_col_client": ("Client", "Клиент"),
    "export_col_segment": ("Segment", "Сегмент"),
    "export_col_method_id": ("Method id", "Код метода"),
    "export_col_method": ("Method", "Метод"),
    "export_col_units": ("Units", "Единицы"),
    "export_col_max_units": ("Max units", "Макс. единиц"),
    "export_col_committed_units": ("Committed units", "Обещанные единицы"),
    "export_col_committed": ("Committed", "Обещано"),
    "export_col_value": ("Value", "Ценность"),
    "export_col_weighted_value": ("Weighted value", "Взвешенная ценность"),
    "export_col_value_per_money": ("Value per {currency}", "Ценность на 1 {currency}"),
    "export_col_weight": ("Weight", "Вес"),
    "export_col_attainable": ("Attainable value", "Достижимая ценность"),
    "export_col_share": ("Share of attainable", "Доля достижимой"),
    "export_col_units_funded": ("Units funded", "Профинансировано единиц"),
    "export_col_next_unit": ("Next unit", "Следующая единица"),
    "export_col_first_value": ("First-unit value", "Ценность первой единицы"),
    "export_col_value_needed": ("First-unit value needed", "Нужная ценность первой единицы"),
    "export_col_blocked_by": ("Blocked by", "Ограничивает"),
    "export_col_reason": ("Reason", "Причина"),
    # ---- the HTML report -------------------------------------------------------------------
    "export_no_plan_title": ("No plan", "Плана нет"),
    "export_no_plan_text": (
        "The request cannot be met as it stands ({status}).",
        "Запрос в нынешнем виде невыполним ({status}).",
    ),
    "export_charts": ("Charts", "Диаграммы"),
    "export_no_plotly": (
        "Charts are not available: the plotly package is not installed.",
        "Диаграммы недоступны: пакет plotly не установлен.",
    ),
    "export_footer": (
        "Input fingerprint {fingerprint}. Exported {when}.",
        "Отпечаток исходных данных {fingerprint}. Выгружено {when}.",
    ),
    # ---- the report's charts ---------------------------------------------------------------
    "export_fig_value_title": ("Perceived value by client", "Воспринимаемая ценность по клиентам"),
    "export_fig_value_delivered": ("Value delivered", "Ценность в плане"),
    "export_fig_value_missed": ("Attainable, not delivered", "Достижимо, но не в плане"),
    "export_fig_value_axis": ("perceived value", "воспринимаемая ценность"),
    "export_fig_pools_title": ("Use of each pool (% of capacity)", "Загрузка ресурсов (% лимита)"),
    "export_fig_pools_label": ("{used} of {capacity} {unit}", "{used} из {capacity} {unit}"),
    "export_fig_pools_used": ("Used", "Использовано"),
    "export_fig_units_title": (
        "Units by client and method (blank: not offered)",
        "Единицы по клиентам и методам (пусто: не предлагается)",
    ),
    "export_fig_units_axis": ("units", "единицы"),
    "export_fig_money_title": ("{pool} by method", "{pool} по методам"),
    # ---- per-client plans ------------------------------------------------------------------
    "export_plan_title": ("{title}: {name}", "{title}: {name}"),
    "export_plan_status": ("Plan status", "Статус плана"),
    "export_plan_value": ("Value of this plan", "Ценность этого плана"),
    "export_plan_share": (
        "Share of the value attainable for this client",
        "Доля ценности, достижимой для этого клиента",
    ),
    "export_plan_committed": (
        "Units already committed in writing",
        "Единицы, уже обещанные письменно",
    ),
    "export_plan_sheet": ("Plan", "План"),
    "export_plan_notes_sheet": ("Notes", "Заметки"),
    "export_plan_not_funded": ("Not funded, or not fully", "Не профинансировано или не полностью"),
    "export_plan_why_not": ("Why not (more) in the plan", "Почему не в плане (или не больше)"),
    "export_plan_method_unit": ("Method (unit)", "Метод (единица)"),
    "export_plan_value_by_method": ("Value by method", "Ценность по методам"),
    "export_plan_relationship": ("Relationship and notes", "Отношения и заметки"),
    "export_plan_item": ("Item", "Пункт"),
    "export_plan_answer": ("Answer or note", "Ответ или заметка"),
    "export_plan_none_recorded": ("none recorded", "не записано"),
    "export_plan_open_problems": ("Open problems", "Открытые проблемы"),
    "export_plan_last_review": ("Last review", "Последний разбор"),
    "export_plan_unconfirmed": (
        "Committed units not confirmed in writing",
        "Обещанные единицы без письменного подтверждения",
    ),
    "export_plan_unconfirmed_item": ("{method}: {units}", "{method}: {units}"),
    "export_check_plan_agreed": (
        "Interaction plan agreed with the client",
        "План взаимодействия согласован с клиентом",
    ),
    "export_check_criteria_known": (
        "Main selection criteria known",
        "Основные критерии выбора известны",
    ),
    "export_check_roles_mapped": (
        "Roles in the decision-making unit mapped",
        "Роли в группе принятия решений определены",
    ),
    "export_check_procedure_known": (
        "Decision-making procedure known",
        "Порядок принятия решения известен",
    ),
    "export_check_written_confirmation": (
        "Agreements confirmed in writing",
        "Договорённости подтверждены письменно",
    ),
    # ---- whole units: one more step of a pool, re-solved --------------------------------
    "export_col_price_step": ("Step re-solved", "Шаг пересчёта"),
    "export_col_step_price": (
        "Value of one more step (per unit, re-solved)",
        "Ценность ещё одного шага (за единицу, пересчёт)",
    ),
    "export_col_quoted_per": ("Price quoted per", "Цена указана за"),
    "export_col_quoted_price": (
        "Value of the quoted amount more (points)",
        "Ценность ещё такого объёма (баллы ценности)",
    ),
    # ---- never over a bundle's own files ---------------------------------------------------------
    "export_overwrites_input": (
        "nothing was written: {path} would replace {name}, a file of the bundle being read "
        "(choose another name or folder)",
        "ничего не записано: {path} заменил бы {name}, файл читаемого набора данных "
        "(выберите другое имя или папку)",
    ),
    "export_into_input_folder": (
        "nothing was written: {path} is the folder of the bundle being read, and client plans "
        "are not written among its files (choose another folder)",
        "ничего не записано: {path} — папка читаемого набора данных, а планы клиентов не "
        "записываются среди его файлов (выберите другую папку)",
    ),
}

register(TEXTS)
