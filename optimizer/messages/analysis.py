"""Catalogue section: the analysis texts (sweeps, sensitivity, robustness, scenario diffs)."""

from .catalog import register

TEXTS: dict[str, tuple[str, str]] = {
    # ---- requests that cannot be answered as asked (AnalysisError) -------------------------
    "analysis_number": ("{value:g}", "{value:g}"),
    "analysis_or": ("{first:,} or {last}", "{first:,} или {last}"),
    "analysis_unknown_method": (
        "unknown re-solve method '{method}' (use {methods})",
        "неизвестный способ пересчёта «{method}» (используйте {methods})",
    ),
    "analysis_not_a_pool": (
        "'{pool}' is not a pool (pools: {pools:,})",
        "«{pool}» — не ресурс (ресурсы: {pools:,})",
    ),
    "analysis_sweep_bound": (
        "the sweep of '{pool}' needs a '{end}' capacity of at least 0, not {value}",
        "для перебора «{pool}» объём «{end}» должна быть не меньше 0, а не {value}",
    ),
    "analysis_sweep_steps": (
        "a sweep needs at least 2 steps, not {steps}",
        "для перебора нужно не меньше 2 шагов, а не {steps}",
    ),
    "analysis_sweep_order": (
        "the sweep of '{pool}' must go from a smaller to a larger capacity "
        "(from {start} to {stop})",
        "перебор «{pool}» должен идти от меньшего объёма к большему (от {start} до {stop})",
    ),
    "analysis_grid_same_pool": (
        "a grid needs two different pools",
        "для сетки нужны два разных ресурса",
    ),
    "analysis_widen": ("range widening: {problems}", "расширение диапазонов: {problems}"),
    "analysis_widen_not_client": ("{client}: not a client", "{client}: такого клиента нет"),
    "analysis_widen_factor": (
        "{client}: the factor must be a number of at least 1, not {factor}",
        "{client}: множитель должен быть числом не меньше 1, а не {factor}",
    ),
    "analysis_draws": (
        "robustness needs at least 1 draw, not {draws}",
        "для проверки устойчивости нужна хотя бы 1 выборка, а не {draws}",
    ),
    "analysis_seed": (
        "the seed must be a whole number of at least 0, not {seed}",
        "начальное значение генератора должно быть целым числом не меньше 0, а не {seed}",
    ),
    "analysis_no_plan": (
        "the baseline has no plan ({status})",
        "у исходной задачи нет плана ({status})",
    ),
    # ---- how large a question may be (each step, point or draw is one re-solve) ------------------
    "analysis_sweep_steps_max": (
        "a sweep takes at most {value} steps, not {steps}: each step is one re-solve, and more "
        "points than a chart has pixels show nothing new (the capacities where the plan "
        "changes are found exactly between steps)",
        "перебор допускает не больше {value} шагов, а не {steps}: каждый шаг — это пересчёт, "
        "а точек больше, чем пикселей на графике, ничего нового не покажут (объёмы, при которых "
        "меняется план, находятся точно между шагами)",
    ),
    "analysis_sweep_size": (
        "a sweep keeps the units of every cell at every step: with this bundle's cells it takes "
        "at most {value} steps (about 160 MB), not {steps}",
        "перебор хранит единицы каждой ячейки на каждом шаге: при ячейках этого набора данных "
        "он допускает не больше {value} шагов (около 160 МБ), а не {steps}",
    ),
    "analysis_grid_points": (
        "a grid takes at most {value} points, not {steps}: each point is one re-solve",
        "сетка допускает не больше {value} точек, а не {steps}: каждая точка — это пересчёт",
    ),
    "analysis_draws_max": (
        "robustness takes at most {value} draws, not {draws}: the run keeps two numbers a draw, "
        "and far fewer already pin every share it reports (100,000 draws: to within 0.3 "
        "percentage points)",
        "для проверки устойчивости допускается не больше {value} выборок, а не {draws}: расчёт "
        "хранит два числа на выборку, а каждую долю гораздо меньшее число выборок уже "
        "определяет (100 000 выборок: с точностью до 0,3 процентного пункта)",
    ),
    # ---- plans that hold up (optimizer/robust.py) -------------------------------------------
    "robust_needs_max_value": (
        "the '{objective}' objective protects a plan's value, so it needs the max_value mode "
        "(a min-cost plan has no value to protect)",
        "цель «{objective}» защищает ценность плана, поэтому нужен режим max_value (у плана "
        "минимальной стоимости нет ценности, которую можно защитить)",
    ),
    "robust_prices_note": (
        "Prices and reasons are those of the protected model: each cell counts at the value "
        "the protection gives it, and the values it would need are estimates.",
        "Цены и причины — из защищённой модели: каждая ячейка учитывается по той ценности, "
        "которую ей оставляет защита, а нужные ценности — оценки.",
    ),
    "robust_compare_nominal": (
        "the price of robustness compares a protected plan with the nominal one: choose the "
        "robust, cvar or expected objective",
        "цена устойчивости сравнивает защищённый план с обычным: выберите цель robust, cvar "
        "или expected",
    ),
    "robust_no_plan": (
        "there is no plan to compare: the bundle has no feasible plan",
        "сравнивать нечего: для этих данных нет допустимого плана",
    ),
    # ---- notes on a sweep ------------------------------------------------------------------
    "analysis_note_max_value": (
        "The frontier shows the most value at each capacity (max_value mode).",
        "Граница показывает наибольшую ценность при каждом объёме ресурса "
        "(режим «наибольшая ценность»).",
    ),
    "analysis_note_truncated": (
        "The search for capacities where the plan changes stopped after "
        "{solves:i} re-solves ({seconds:.1f} s): the {found:i} listed are exact, but the list "
        "is incomplete: {count:i} stretches of capacity ({share:.0%} of the range) were not "
        "searched to the end and are marked as unresolved.",
        "Поиск объёмов, при которых меняется план, остановлен после {solves:i} "
        "пересчётов ({seconds:.1f} с): найденные {found:i} точны, но список неполон: "
        "{count:i} участков ({share:.0%} диапазона) не проверены до конца и отмечены "
        "как непроверенные.",
    ),
    "analysis_note_walk_rows": (
        "The capacities where the plan changes were searched by re-solves, not by walking "
        "the optimal basis: the model has {rows:i} rows, more than the {limit:i} the walk "
        "keeps in memory.",
        "Объёмы, при которых меняется план, найдены пересчётами, а не обходом оптимального "
        "базиса: в модели {rows:i} строк, больше {limit:i}, которые обход держит в памяти.",
    ),
    "analysis_note_whole_units": (
        "Whole units: the value moves in steps, so shadow prices are "
        "not defined; 'marginal' is the value gained per unit over "
        "each step.",
        "Целые единицы: ценность меняется скачками, поэтому теневые "
        "цены не определены; «marginal» — прирост ценности на единицу "
        "на каждом шаге.",
    ),
}

register(TEXTS)
