"""Catalogue section: the cli texts (code -> (English, Russian)).

Every word the command line prints (optimizer/cli/). The command line formats numbers itself
(rounded by the format spec of its English output, written with the language's signs) and
passes them here as text, so most parameters are strings; counts are `{n:i}`. Widths of table
columns stay in the code; their headings are here.
"""

from .catalog import register

TEXTS: dict[str, tuple[str, str]] = {
    # ---- the whole command line ------------------------------------------------------------
    "cli_description": (
        "Plan risk-reduction methods for key clients within budget and management hours.",
        "План методов снижения рисков для ключевых клиентов в пределах бюджета "
        "и часов руководителей.",
    ),
    "cli_error": ("error: {error}", "ошибка: {error}"),
    "cli_bundle_problems": (
        "The bundle has {count:d} problem(s):",
        "Проблем в наборе данных: {count:d}",
    ),
    "cli_progress": ("{label}: {percent:i}%", "{label}: {percent:i} %"),
    "cli_stopping": (
        "stopping: finishing the current step (Ctrl-C again to abort)",
        "остановка: завершается текущий шаг (Ctrl-C ещё раз — прервать)",
    ),
    # ---- arguments ---------------------------------------------------------------------------
    "cli_word_capacity": ("capacity", "лимит"),
    "cli_word_factor": ("factor", "коэффициент"),
    "cli_bad_key_number": (
        "{flag} {item}: the {what} must be a number of at least {minimum}",
        "{flag} {item}: {what} — число не меньше {minimum}",
    ),
    "cli_bad_target_share": (
        "--target-share must be between 0 and 1, not {value}",
        "--target-share должен быть от 0 до 1, а не {value}",
    ),
    "cli_bad_time_limit": (
        "--time-limit must be positive, not {value}",
        "--time-limit должен быть положительным, а не {value}",
    ),
    "cli_bad_gap": (
        "--gap must be at least 0, not {value}",
        "--gap должен быть не меньше 0, а не {value}",
    ),
    "cli_set_not_a_pool": (
        "--set {item}: '{pool}' is not a pool (pools: {pools})",
        "--set {item}: «{pool}» — не ресурс (ресурсы: {pools})",
    ),
    "cli_out_json_or_csv": (
        "--out {path}: use a .json or .csv file",
        "--out {path}: укажите файл .json или .csv",
    ),
    # ---- help ------------------------------------------------------------------------------
    "cli_help_lang": (
        "language of the printed output: en or ru (default en; --json is the "
        "same in every language)",
        "язык вывода: en или ru (по умолчанию en; --json одинаков на всех языках)",
    ),
    "cli_help_bundle": (
        "a folder of CSV files or one .xlsx workbook",
        "папка с CSV-файлами или одна книга .xlsx",
    ),
    "cli_help_set": (
        "override a pool's capacity (repeatable)",
        "заменить лимит ресурса (можно повторять)",
    ),
    "cli_help_integer": ("whole units only", "только целые единицы"),
    "cli_help_continuous": ("fractions of units allowed", "допускаются доли единиц"),
    "cli_help_target_share": (
        "min_cost: share of the best attainable value to reach (0..1)",
        "min_cost: доля наилучшей достижимой ценности, которую нужно получить (0..1)",
    ),
    "cli_help_gap": ("relative MIP gap, e.g. 0.01", "относительный разрыв MIP, например 0.01"),
    "cli_help_json": ("print one JSON object", "вывести один объект JSON"),
    "cli_help_validate": (
        "check a bundle and list every problem",
        "проверить набор данных и перечислить все проблемы",
    ),
    "cli_help_solve": (
        "solve a bundle and print or write the plan",
        "решить задачу и вывести или записать план",
    ),
    "cli_help_solve_out": (
        "also write FILE (.xlsx, .csv, .json, .html, .lp); repeatable",
        "также записать FILE (.xlsx, .csv, .json, .html, .lp); можно повторять",
    ),
    "cli_help_export": (
        "write the plan for a meeting: xlsx, csv, html, client-plans or lp",
        "записать план для встречи: xlsx, csv, html, client-plans или lp",
    ),
    "cli_help_format": (
        "what to write; client-plans writes one .html and one .xlsx per client",
        "что записать; client-plans записывает по одному .html и .xlsx на клиента",
    ),
    "cli_help_export_out": (
        "the file to write (a folder for client-plans)",
        "файл для записи (папка для client-plans)",
    ),
    "cli_help_scenario_name": (
        "scenario name printed on the export (default: the bundle's name)",
        "название сценария в экспорте (по умолчанию — имя набора данных)",
    ),
    "cli_help_export_notes": (
        "scenario notes for the workbook and report",
        "заметки к сценарию для книги и отчёта",
    ),
    "cli_help_export_client": (
        "client-plans: only this client (repeatable)",
        "client-plans: только этот клиент (можно повторять)",
    ),
    "cli_help_export_since": (
        "xlsx with --db: add a Changes sheet, every change of the shared inputs from this date "
        "(YYYY-MM-DD) or since this scenario was saved",
        "xlsx с --db: добавить лист изменений — все изменения общих данных с этой даты "
        "(ГГГГ-ММ-ДД) или после сохранения этого сценария",
    ),
    "cli_help_sweep": (
        "value frontier of one pool: value, shadow price, where the plan changes",
        "граница ценности по одному ресурсу: ценность, теневая цена, где меняется план",
    ),
    "cli_help_pool": ("the pool whose capacity is swept", "ресурс, объём которого меняется"),
    "cli_help_from": (
        "first capacity (default: half the current capacity)",
        "первый объём (по умолчанию половина текущего)",
    ),
    "cli_help_to": (
        "last capacity (default: 1.5 x the current capacity)",
        "последний объём (по умолчанию 1,5 × текущий)",
    ),
    "cli_help_points": (
        "capacities to solve, both ends included (default 21)",
        "число объёмов для расчёта, включая оба конца (по умолчанию 21)",
    ),
    "cli_help_steps": (
        "old name of --points (it always counted points, not steps)",
        "прежнее имя --points (оно всегда задавало число точек, а не шагов)",
    ),
    "cli_sweep_steps_renamed": (
        "--steps is now --points (the number of capacities solved, both ends included); "
        "--steps {n:i} still works and means --points {n:i}",
        "--steps теперь называется --points (число рассчитываемых объёмов, включая оба "
        "конца); --steps {n:i} по-прежнему работает и означает --points {n:i}",
    ),
    "cli_sweep_points_twice": (
        "--points {points:i} and --steps {steps:i} disagree; give --points only",
        "--points {points:i} и --steps {steps:i} не совпадают; укажите только --points",
    ),
    "cli_help_breakpoint_budget": (
        "most re-solves the search for change points may use (default {n:i}); where it "
        "runs out, the stretches not searched are listed",
        "наибольшее число пересчётов при поиске точек изменения плана (по умолчанию {n:i}); "
        "если их не хватит, непроверенные участки будут перечислены",
    ),
    "cli_help_breakpoint_seconds": (
        "most seconds the search for change points may take (default: no limit)",
        "наибольшее время поиска точек изменения плана, в секундах (по умолчанию без предела)",
    ),
    "cli_sweep_budget_bad": (
        "{option} must be a number of at least 0, not {value}",
        "{option} должно быть числом не меньше 0, а не {value}",
    ),
    "cli_sweep_search": (
        "Change points: {count:i} found in {solves:i} re-solves, {seconds:.1f} s.",
        "Точки изменения плана: найдено {count:i} за {solves:i} пересчётов, {seconds:.1f} с.",
    ),
    "cli_sweep_unresolved": (
        "\nNot searched to the end (the search's budget ran out or it was stopped; there "
        "may be change points here that are not listed): {count:i} stretches",
        "\nНе проверено до конца (бюджет поиска исчерпан или поиск остановлен; здесь могут "
        "быть неуказанные точки изменения плана): участков {count:i}",
    ),
    "cli_sweep_unresolved_span": ("  {start} – {stop} {unit}", "  {start} – {stop} {unit}"),
    "cli_help_no_breakpoints": (
        "skip the search for capacities where the plan changes",
        "не искать объёмы, при которых меняется план",
    ),
    "cli_help_sweep_out": (
        "also write FILE (.json, or .csv of points)",
        "также записать FILE (.json или .csv с точками)",
    ),
    "cli_help_robustness": (
        "sample values within their ranges and test the plan against them",
        "выбрать ценности в пределах их диапазонов и проверить на них план",
    ),
    "cli_help_draws": ("draws (default 200)", "число выборок (по умолчанию 200)"),
    "cli_help_seed": (
        "random seed (default 0)",
        "начальное число (seed) генератора случайных чисел (по умолчанию 0)",
    ),
    "cli_help_protect": (
        "--objective robust: protect against the N worst surprises (cells at their low value)",
        "--objective robust: защита от N худших неожиданностей (ячеек с низшей ценностью)",
    ),
    "cli_help_per_client": (
        "--objective robust: N surprises in each client, not N overall",
        "--objective robust: N неожиданностей у каждого клиента, а не N всего",
    ),
    "cli_help_alpha": (
        "--objective cvar: the worst share of the draws to average (default 0.1)",
        "--objective cvar: доля худших выборок для усреднения (по умолчанию 0,1)",
    ),
    "cli_help_compare": (
        "also print the price of robustness against the nominal plan (fresh draws, seed + 1)",
        "также вывести цену устойчивости по сравнению с обычным планом "
        "(новые выборки, начальное число (seed) + 1)",
    ),
    "cli_help_objective_plan": (
        "max_value, min_cost, or a plan that holds up: robust, cvar, expected",
        "max_value, min_cost или устойчивый план: robust, cvar, expected",
    ),
    "cli_help_widen": (
        "widen a client's value ranges by FACTOR >= 1 (repeatable)",
        "расширить диапазоны ценности клиента в FACTOR >= 1 раз (можно повторять)",
    ),
    "cli_help_no_checklist_widening": (
        "do not widen the ranges of clients whose selection "
        "criteria or decision roles the relationship checklist "
        "marks as not known",
        "не расширять диапазоны клиентов, у которых по "
        "чек-листу отношений не известны критерии выбора или "
        "роли в принятии решений",
    ),
    "cli_help_robustness_out": (
        "also write FILE (.json, or .csv of cells)",
        "также записать FILE (.json или .csv с ячейками)",
    ),
    "cli_help_scenario": (
        "save, list, show, compare, rename, duplicate, delete, load scenarios",
        "сохранить, перечислить, показать, сравнить, переименовать, "
        "скопировать, удалить, загрузить сценарии",
    ),
    "cli_help_db": (
        "scenario database (default: the user's data folder)",
        "база сценариев (по умолчанию в папке данных пользователя)",
    ),
    "cli_help_scenario_save": (
        "solve a bundle and save it as a named scenario",
        "решить задачу и сохранить как именованный сценарий",
    ),
    "cli_help_client_note": (
        "a note on one client (repeatable)",
        "заметка об одном клиенте (можно повторять)",
    ),
    "cli_help_overwrite": (
        "replace a scenario of that name",
        "заменить сценарий с таким названием",
    ),
    "cli_help_scenario_list": ("list saved scenarios", "перечислить сохранённые сценарии"),
    "cli_help_scenario_show": ("show one scenario", "показать один сценарий"),
    "cli_help_scenario_compare": (
        "compare two scenarios (B against A)",
        "сравнить два сценария (B относительно A)",
    ),
    "cli_help_scenario_delete": ("delete a scenario", "удалить сценарий"),
    "cli_help_scenario_rename": ("rename a scenario", "переименовать сценарий"),
    "cli_help_scenario_duplicate": (
        "copy a scenario under a new name",
        "скопировать сценарий под новым названием",
    ),
    "cli_help_scenario_load": (
        "write a scenario's inputs as a bundle",
        "записать входные данные сценария как набор данных",
    ),
    "cli_help_scenario_out": (
        "a folder (CSV files) or a .xlsx workbook",
        "папка (CSV-файлы) или книга .xlsx",
    ),
    "cli_help_checklist": (
        "the relationship checklist: readiness, stale reviews, unconfirmed commitments",
        "чек-лист отношений: готовность, давние пересмотры, неподтверждённые обязательства",
    ),
    "cli_help_as_of": (
        "the date reviews are aged against (default: today)",
        "дата, от которой считается давность пересмотров (по умолчанию сегодня)",
    ),
    "cli_help_stale_days": (
        "a review older than N days is stale (default {days:i})",
        "пересмотр старше N дней считается давним (по умолчанию {days:i})",
    ),
    # ---- validate and solve ------------------------------------------------------------------
    "cli_validate_ok": (
        "OK: {clients:i} clients, {methods:i} methods, {cells:i} offered cells, pools: {pools}",
        "OK: клиентов {clients:i}, методов {methods:i}, предложенных ячеек "
        "{cells:i}, ресурсы: {pools}",
    ),
    "cli_solve_status": (
        "Status: {status} ({solver}, {seconds} s)",
        "Статус: {status} ({solver}, {seconds} с)",
    ),
    "cli_solve_min_cost": (
        "Cheapest plan reaching {target} value points ({share} of the best): "
        "spends {spent} {currency}, weighted value {reached} points",
        "Самый дешёвый план, дающий {target} баллов ценности ({share} от "
        "наилучшего): расходы {spent} {currency}, взвешенная ценность {reached} баллов",
    ),
    "cli_solve_max_value": (
        "Weighted value (points): {value}",
        "Взвешенная ценность (баллы): {value}",
    ),
    "cli_solve_lp_bound": ("Continuous bound: {value}", "Непрерывная граница: {value}"),
    # ---- plans that hold up (solve --objective robust | cvar | expected) ---------------------
    "cli_solve_protected": (
        "Protected value (the {protect:g} worst surprises{scope}): {value}",
        "Защищённая ценность (худшие неожиданности: {protect:g}{scope}): {value}",
    ),
    "cli_solve_per_client": (" in each client", " у каждого клиента"),
    "cli_solve_cvar": (
        "Mean of the worst {alpha:.0%} of {draws:i} draws (seed {seed:i}): {value}; "
        "mean over the draws: {mean}",
        "Среднее по худшим {alpha:.0%} из {draws:i} выборок "
        "(начальное число (seed) {seed:i}): {value}; "
        "среднее по всем выборкам: {mean}",
    ),
    "cli_solve_expected": (
        "Mean over {draws:i} draws (seed {seed:i}): {value}",
        "Среднее по {draws:i} выборкам (начальное число (seed) {seed:i}): {value}",
    ),
    "cli_solve_compare": (
        "\nThe price of robustness (fresh draws: {draws:i}, seed {seed:i}):\n"
        "  nominal value given up: {given_up} ({nominal} -> {robust})\n"
        "  value under the objective gained: {gained} ({nominal_obj} -> {robust_obj})\n"
        "  worst decile on the fresh draws: {nominal_p10} -> {robust_p10}\n"
        "  mean regret on the fresh draws: {nominal_regret} -> {robust_regret}\n"
        "  cells that move: {moves:i}",
        "\nЦена устойчивости (новые выборки: {draws:i}, начальное число (seed) {seed:i}):\n"
        "  отданная номинальная ценность: {given_up} ({nominal} -> {robust})\n"
        "  выигрыш по выбранной цели: {gained} ({nominal_obj} -> {robust_obj})\n"
        "  худшие 10% новых выборок (среднее): {nominal_p10} -> {robust_p10}\n"
        "  среднее сожаление на новых выборках: {nominal_regret} -> {robust_regret}\n"
        "  ячеек, которые меняются: {moves:i}",
    ),
    "cli_solve_move": (
        "  {client} / {method}: {before} -> {after}",
        "  {client} / {method}: {before} -> {after}",
    ),
    "cli_objective_flag": (
        "{flag} applies to --objective {kinds} only",
        "{flag} действует только при --objective {kinds}",
    ),
    "cli_solve_pools": ("\nPools:", "\nРесурсы:"),
    "cli_solve_pool": (
        "  {name}: {used} of {capacity} {unit}{price}",
        "  {name}: {used} из {capacity} {unit}{price}",
    ),
    # A pool's price per the amount the page quotes it for (optimizer.quoting).
    "cli_solve_pool_saves": (
        ", one more {amount} {unit} would save {saving} {currency}",
        ", ещё {amount} {unit} сэкономили бы {saving} {currency}",
    ),
    "cli_solve_pool_worth": (
        ", one more {amount} {unit} would add {worth} value points",
        ", ещё {amount} {unit} добавили бы {worth} баллов ценности",
    ),
    "cli_solve_funded": ("\nFunded cells:", "\nПрофинансированные ячейки:"),
    "cli_solve_cell": (
        "  {client:<20} {method:<20} {units:>6} units  value {value:>8}",
        "  {client:<20} {method:<20} {units:>6} ед.  ценность {value:>8}",
    ),
    "cli_not_written_no_plan": (
        "{path} was not written: there is no plan to put in it",
        "{path} не записан: в нём нечего показать, плана нет",
    ),
    # ---- export ------------------------------------------------------------------------------
    "cli_export_client_only": (
        "--client is only for --format client-plans",
        "--client только для --format client-plans",
    ),
    "cli_export_since_only": (
        "--since is only for --format xlsx with --db (the shared plan's change log)",
        "--since только для --format xlsx с --db (журнал изменений общего плана)",
    ),
    "cli_export_needs_folder": (
        "--out {out}: client-plans needs a folder, and this is a file",
        "--out {out}: для client-plans нужна папка, а это файл",
    ),
    "cli_export_is_folder": (
        "--out {out}: this is a folder; give a file name",
        "--out {out}: это папка; укажите имя файла",
    ),
    "cli_export_extension": (
        "--out {out}: the extension says {asked}, but --format is {format}",
        "--out {out}: расширение говорит {asked}, а --format — {format}",
    ),
    "cli_export_unknown_client": (
        "--client: not in the clients table: {clients}",
        "--client: нет в таблице клиентов: {clients}",
    ),
    "cli_export_wrote_model": ("Wrote the model to {out}", "Модель записана в {out}"),
    "cli_export_no_plan": ("No plan: {status}", "Плана нет: {status}"),
    "cli_export_nothing_written": ("Nothing was written.", "Ничего не записано."),
    "cli_export_wrote_plan": ("Wrote the plan to {out}{files}", "План записан в {out}{files}"),
    "cli_export_wrote_reasons": (
        "Wrote the reasons there is no plan to {out}{files}",
        "Причины, по которым плана нет, записаны в {out}{files}",
    ),
    "cli_export_files": (" ({count:i} files)", " (файлов: {count:i})"),
    # ---- sweep -------------------------------------------------------------------------------
    "cli_sweep_start": (
        "sweep: {steps:i} points (Ctrl-C stops and keeps what is done)",
        "sweep: точек {steps:i} (Ctrl-C останавливает и сохраняет сделанное)",
    ),
    "cli_sweep_not_a_pool": (
        "--pool {pool}: not a pool (pools: {pools})",
        "--pool {pool}: не ресурс (ресурсы: {pools})",
    ),
    "cli_sweep_header": (
        "Frontier of {pool} ({unit}); current capacity {capacity}",
        "Граница по ресурсу {pool} ({unit}); текущий лимит {capacity}",
    ),
    "cli_col_capacity": ("capacity", "объём"),
    "cli_col_value": ("value", "ценность"),
    "cli_col_shadow_price": ("shadow price", "теневая цена"),
    "cli_col_marginal": ("marginal", "прирост"),
    "cli_col_status": ("status", "статус"),
    "cli_sweep_feasible_from": (
        "A plan needs at least {capacity} {unit} of {pool}.",
        "Для плана нужно не меньше {capacity} {unit} ресурса {pool}.",
    ),
    "cli_sweep_breakpoints": (
        "\nThe plan changes course at {count:i} capacities:",
        "\nПлан меняется при объёмах (всего {count:i}):",
    ),
    "cli_sweep_price": ("price {before} -> {after}", "цена {before} -> {after}"),
    "cli_sweep_between": ("between grid points", "между точками сетки"),
    "cli_sweep_breakpoint": (
        "  {capacity}: {price}; more: {more}; less: {less}",
        "  {capacity}: {price}; больше: {more}; меньше: {less}",
    ),
    "cli_sweep_more": (
        "  ... and {count:i} more (see --json)",
        "  ... и ещё {count:i} (см. --json)",
    ),
    "cli_sweep_partial": (
        "\nStopped: {count:i} points computed (partial).",
        "\nОстановлено: рассчитано точек {count:i} (частично).",
    ),
    # a grid point's (or a saved scenario's) status
    "cli_status_optimal": ("optimal", "оптимально"),
    "cli_status_feasible": ("feasible", "допустимо"),
    "cli_status_infeasible": ("infeasible", "недопустимо"),
    "cli_status_error": ("error", "ошибка"),
    # ---- robustness --------------------------------------------------------------------------
    "cli_robust_start": (
        "robustness: {draws:i} draws (Ctrl-C stops and keeps what is done)",
        "robustness: выборок {draws:i} (Ctrl-C останавливает и сохраняет сделанное)",
    ),
    "cli_robust_widening": (
        "robustness: the relationship checklist widens the value ranges of "
        "{count:i} clients (--no-checklist-widening: off)",
        "robustness: чек-лист отношений расширяет диапазоны ценности "
        "клиентов: {count:i} (--no-checklist-widening: выключить)",
    ),
    "cli_robust_header": (
        "{draws:i} draws (seed {seed:i}); nominal plan value {nominal}",
        "Выборок {draws:i} (начальное число (seed) {seed:i}); "
        "ценность номинального плана {nominal}",
    ),
    "cli_robust_best": (
        "Best value per draw:   mean {mean}, p5 {p5}, p50 {p50}, p95 {p95}",
        "Лучшая ценность в выборке:   среднее {mean}, p5 {p5}, p50 {p50}, p95 {p95}",
    ),
    "cli_robust_nominal": (
        "Nominal plan per draw: mean {mean}, p5 {p5}, p50 {p50}, p95 {p95}",
        "Номинальный план в выборке: среднее {mean}, p5 {p5}, p50 {p50}, p95 {p95}",
    ),
    "cli_robust_regret": (
        "Regret of the nominal plan: mean {mean} ({rel_mean}), p95 {p95} "
        "({rel_p95}), max {max} ({rel_max})",
        "Потери номинального плана: среднее {mean} ({rel_mean}), p95 {p95} "
        "({rel_p95}), максимум {max} ({rel_max})",
    ),
    "cli_robust_unsure": (
        "\nCells funded in some draws only ({count:i}):",
        "\nЯчейки, профинансированные лишь в части выборок ({count:i}):",
    ),
    "cli_robust_cell": (
        "  {client:<20} {method:<20} funded in {share:>6} of draws (nominal {units} units)",
        "  {client:<20} {method:<20} профинансирована в {share:>6} выборок "
        "(номинально {units} ед.)",
    ),
    "cli_robust_all_or_none": (
        "\nEvery cell is funded in all draws or in none.",
        "\nКаждая ячейка профинансирована либо во всех выборках, либо ни в одной.",
    ),
    "cli_robust_partial": (
        "\nStopped: {draws:i} of {requested:i} draws computed (partial).",
        "\nОстановлено: рассчитано {draws:i} из {requested:i} выборок (частично).",
    ),
    # ---- scenarios ---------------------------------------------------------------------------
    "cli_client_note_form": (
        "--client-note {item}: use CLIENT=TEXT",
        "--client-note {item}: используйте CLIENT=TEXT",
    ),
    "cli_client_note_unknown": (
        "--client-note: not a client: {clients}",
        "--client-note: не клиент: {clients}",
    ),
    "cli_scenario_saved": (
        "Saved '{name}' ({status}) at {saved_at} in {path}",
        "Сохранён «{name}» ({status}) {saved_at} в {path}",
    ),
    "cli_scenario_none": ("No scenarios in {path}", "В {path} нет сценариев"),
    "cli_scenario_count": ("{count:i} scenario(s) in {path}:", "Сценариев в {path}: {count:i}"),
    "cli_scenario_show": (
        "{name} (saved {saved_at}, inputs {fingerprint})",
        "{name} (сохранён {saved_at}, входные данные {fingerprint})",
    ),
    "cli_scenario_notes": ("Notes: {notes}", "Заметки: {notes}"),
    "cli_scenario_client_note": (
        "  note on {client}: {note}",
        "  заметка о клиенте {client}: {note}",
    ),
    "cli_scenario_status": ("Status: {status}", "Статус: {status}"),
    "cli_compare_header": ("'{b}' against '{a}':", "«{b}» относительно «{a}»:"),
    "cli_col_change": ("change", "изменение"),
    "cli_compare_price": (
        "{pool}: value of {amount} {unit} more (points)",
        "{pool}: ценность ещё {amount} {unit} (баллы ценности)",
    ),
    "cli_compare_cells": ("\n{count:i} cell(s) changed:", "\nИзменилось ячеек: {count:i}"),
    "cli_compare_cell": (
        "  {client:<20} {method:<20} units {units_a} -> {units_b} ({change}), value {value}",
        "  {client:<20} {method:<20} единицы {units_a} -> {units_b} ({change}), ценность {value}",
    ),
    "cli_compare_inputs": (
        "\n{count:i} input(s) changed:",
        "\nИзменилось входных данных: {count:i}",
    ),
    "cli_compare_input": ("  {where}: {a} -> {b} ({change})", "  {where}: {a} -> {b} ({change})"),
    "cli_change_new": ("new", "новая"),
    "cli_change_dropped": ("dropped", "убрана"),
    "cli_change_more": ("more", "больше"),
    "cli_change_fewer": ("fewer", "меньше"),
    "cli_change_same": ("same", "без изменений"),
    "cli_change_added": ("added", "добавлено"),
    "cli_change_removed": ("removed", "удалено"),
    "cli_change_changed": ("changed", "изменено"),
    "cli_scenario_deleted": ("Deleted '{name}'", "Удалён «{name}»"),
    "cli_scenario_renamed": (
        "Renamed '{name}' to '{new_name}'",
        "«{name}» переименован в «{new_name}»",
    ),
    "cli_scenario_copied": (
        "Copied '{name}' to '{new_name}'",
        "«{name}» скопирован в «{new_name}»",
    ),
    "cli_scenario_loaded": (
        "Wrote the inputs of '{name}' to {path}",
        "Входные данные «{name}» записаны в {path}",
    ),
    "cli_scenario_unknown_command": (
        "unknown scenario command '{command}'",
        "неизвестная команда сценария «{command}»",
    ),
    # ---- the relationship checklist ----------------------------------------------------------
    "cli_checklist_not_assessed": (
        "The bundle has no relationship table: the checklist is not assessed.",
        "В наборе данных нет таблицы отношений: чек-лист не заполнен.",
    ),
    "cli_checklist_header": (
        "Relationship checklist as of {as_of} (stale after {days:i} days)",
        "Чек-лист отношений на {as_of} (устаревает через {days:i} дн.)",
    ),
    "cli_col_client": ("client", "клиент"),
    "cli_col_ready": ("ready", "готов."),
    "cli_col_plan": ("plan", "план"),
    "cli_col_criteria": ("criteria", "критерии"),
    "cli_col_roles": ("roles", "роли"),
    "cli_col_procedure": ("proc.", "порядок"),
    "cli_col_written": ("written", "письм."),
    "cli_col_review": ("review", "пересмотр"),
    "cli_col_widen": ("widen", "расш."),
    "cli_answer_yes": ("yes", "да"),
    "cli_answer_no": ("no", "нет"),
    "cli_answer_unknown": ("unknown", "неизв."),
    "cli_answer_not_assessed": ("not assessed", "не оценён"),
    "cli_checklist_open_problems": ("\nOpen problems:", "\nОткрытые проблемы:"),
    "cli_checklist_stale": (
        "\nReviews older than {days:i} days or missing ({count:i}):",
        "\nПересмотры старше {days:i} дн. или отсутствующие ({count:i}):",
    ),
    "cli_checklist_no_date": ("no date", "нет даты"),
    "cli_checklist_days_ago": ("{date}, {days:i} days ago", "{date}, {days:i} дн. назад"),
    "cli_checklist_unconfirmed": (
        "\nCommitted units not confirmed in writing ({count:i}):",
        "\nОбязательства, не подтверждённые письменно ({count:i}):",
    ),
    "cli_checklist_unconfirmed_cell": (
        "  {client} / {method}: {units} units committed, written confirmation: {answer}",
        "  {client} / {method}: обещано ед.: {units}, письменное подтверждение: {answer}",
    ),
    "cli_checklist_all_confirmed": (
        "\nEvery committed unit is confirmed in writing.",
        "\nВсе обязательства подтверждены письменно.",
    ),
    "cli_checklist_widen": (
        "\nRobustness widens the value ranges of {count:i} clients by "
        "{factor} (selection criteria or decision roles not known).",
        "\nАнализ устойчивости расширяет диапазоны ценности клиентов "
        "({count:i}) в {factor} раза (не известны критерии выбора или роли "
        "в принятии решений).",
    ),
}

register(TEXTS)
