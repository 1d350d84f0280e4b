"""Catalogue section: what the engine reports (validation issues, conflicts, reasons a cell is not
funded, store errors, statuses). Each code is (English, Russian); the English is the engine's
wording everywhere (command line, exports, JSON)."""

from .catalog import register

TEXTS: dict[str, tuple[str, str]] = {
    # ---- shared words ----------------------------------------------------------------------
    "list_sep": ("; ", "; "),
    "list_comma": (", ", ", "),
    "list_none": ("none", "нет"),
    "word_units": ("units", "ед."),
    "word_unit": ("unit", "ед."),
    "warning_label": ("Warning: ", "Предупреждение: "),
    # an issue's location: "values, row 4 (client acme, method trial), column 'value'"
    "where_row": ("row {row:i}", "строка {row:i}"),
    "where_row_key": ("row {row:i} ({key})", "строка {row:i} ({key})"),
    "where_column": ("column '{column}'", "столбец «{column}»"),
    "where_value": (" [value: '{value}']", " [значение: «{value}»]"),
    "issue_line": ("{where}: {message}{shown}", "{where}: {message}{shown}"),
    "id_client": ("client {id}", "клиент {id}"),
    "id_method": ("method {id}", "метод {id}"),
    "id_pool": ("pool {id}", "ресурс {id}"),
    # ---- reading files ---------------------------------------------------------------------
    "file_binary": (
        "the file '{file}' is not a text CSV file (it looks binary); save it as 'CSV UTF-8' "
        "and try again",
        "файл «{file}» не является текстовым CSV (похож на двоичный); сохраните его как "
        "«CSV UTF-8» и попробуйте снова",
    ),
    "file_encoding": (
        "the text encoding of '{file}' could not be read; save it as 'CSV UTF-8' and try again",
        "не удалось определить кодировку файла «{file}»; сохраните его как «CSV UTF-8» "
        "и попробуйте снова",
    ),
    "file_cp1251": (
        "the file '{file}' is not UTF-8; it was read as Windows-1251 (Cyrillic). Check the "
        "names, or save it as 'CSV UTF-8'",
        "файл «{file}» не в UTF-8; он прочитан как Windows-1251 (кириллица). Проверьте "
        "названия или сохраните его как «CSV UTF-8»",
    ),
    "file_empty": (
        "the file '{file}' is empty: it needs at least a header row",
        "файл «{file}» пуст: нужна хотя бы строка заголовков",
    ),
    "file_not_csv": (
        "the file '{file}' could not be read as CSV ({error})",
        "файл «{file}» не удалось прочитать как CSV ({error})",
    ),
    "row_too_wide": (
        "the row has {cells:i} cells but the header has {width:i}",
        "в строке {cells:i} ячеек, а в заголовке {width:i}",
    ),
    "path_missing": ("'{path}' does not exist", "«{path}» не существует"),
    "csv_file_missing": (
        "the file {file} is missing from '{folder}'",
        "в «{folder}» нет файла {file}",
    ),
    "not_a_bundle": (
        "'{path}' is neither a folder of CSV files nor an .xlsx workbook",
        "«{path}» — не папка с CSV-файлами и не книга .xlsx",
    ),
    "settings_not_json": (
        "settings.json is not valid JSON ({error})",
        "settings.json — некорректный JSON ({error})",
    ),
    "settings_not_object": (
        "settings.json must hold one JSON object",
        "settings.json должен содержать один объект JSON",
    ),
    "xlsx_unreadable": (
        "'{label}' could not be opened as an .xlsx workbook ({error})",
        "«{label}» не удалось открыть как книгу .xlsx ({error})",
    ),
    "sheet_missing": (
        "the sheet '{sheet}' is missing from '{label}'",
        "в «{label}» нет листа «{sheet}»",
    ),
    "sheet_empty": (
        "the sheet is empty: it needs at least a header row",
        "лист пуст: нужна хотя бы строка заголовков",
    ),
    "zip_invalid": ("'{name}' is not a valid .zip file", "«{name}» — повреждённый файл .zip"),
    "upload_missing": (
        "the file {file} was not among the uploaded files",
        "файла {file} нет среди загруженных",
    ),
    # ---- limits and damaged files ----------------------------------------------------------
    "file_too_large": (
        "'{file}' is larger than {mb:g} MB, the limit for one file: the largest sensible "
        "bundle (20,000 clients x 10 methods) takes far less. Split or shorten it",
        "«{file}» больше {mb:g} МБ — предела для одного файла: самый большой разумный набор "
        "(20 000 клиентов × 10 методов) занимает гораздо меньше. Разделите или сократите его",
    ),
    "entry_too_large": (
        "'{file}' unpacks to more than {mb:g} MB, the limit for one file of an archive (the "
        "largest sensible bundle takes far less); it was not unpacked further",
        "«{file}» распаковывается в файл больше {mb:g} МБ — предела для одного файла архива "
        "(самый большой разумный набор занимает гораздо меньше); распаковка прервана",
    ),
    "archive_too_large": (
        "'{file}' unpacks to more than {mb:g} MB in all, the limit for one archive; it was "
        "not unpacked further",
        "«{file}» распаковывается в общей сложности больше чем в {mb:g} МБ — предел для "
        "одного архива; распаковка прервана",
    ),
    "archive_entries": (
        "'{file}' holds more than {limit:d} files, the limit for one archive (a bundle has "
        "at most eight)",
        "в «{file}» больше {limit:d} файлов — предела для одного архива (в наборе их не "
        "больше восьми)",
    ),
    "entry_encrypted": (
        "'{file}' is encrypted (password-protected); pack the files without a password",
        "«{file}» зашифрован (защищён паролем); упакуйте файлы без пароля",
    ),
    "entry_compression": (
        "'{file}' is packed with a compression method that cannot be read; pack the files "
        "with ordinary zip compression (deflate)",
        "«{file}» упакован неизвестным методом сжатия; упакуйте файлы обычным сжатием zip "
        "(deflate)",
    ),
    "entry_damaged": (
        "'{file}' is damaged and cannot be unpacked ({error})",
        "«{file}» повреждён, распаковать его нельзя ({error})",
    ),
    "file_no_memory": (
        "'{file}' is too large to read into memory",
        "«{file}» слишком велик, чтобы прочитать его в память",
    ),
    "file_unreadable": ("'{file}' cannot be read: {error}", "«{file}» нельзя прочитать: {error}"),
    "file_utf16_no_bom": (
        "the file '{file}' looks like UTF-16 text without its byte order mark; save it as "
        "'CSV UTF-8' and try again",
        "файл «{file}» похож на текст UTF-16 без метки порядка байтов; сохраните его как "
        "«CSV UTF-8» и попробуйте снова",
    ),
    "quote_unclosed": (
        "a quote (\") opens a cell on this line of '{file}' and is never closed, so the rest "
        "of the file would be one cell; close the quote or remove it",
        'кавычка (") в этой строке файла «{file}» открывает ячейку и нигде не закрывается, '
        "так что весь остаток файла стал бы одной ячейкой; закройте кавычку или удалите её",
    ),
    "bom_in_line": (
        "an invisible byte order mark (U+FEFF) stood in {count:d} line(s) of '{file}' (first "
        "here) and was removed; the file was probably pasted together from several files",
        "невидимая метка порядка байтов (U+FEFF) была в {count:d} строк(ах) файла «{file}» "
        "(впервые здесь) и удалена; вероятно, файл склеен из нескольких",
    ),
    "too_many_rows": (
        "'{file}' has more than {limit:d} rows, the limit for one table: the values table of "
        "the largest sensible bundle (20,000 clients x 10 methods) has 200,000. It was not "
        "read further",
        "в «{file}» больше {limit:d} строк — предела для одной таблицы: в таблице «Ценности» "
        "самого большого разумного набора (20 000 клиентов × 10 методов) их 200 000. "
        "Дальше файл не читался",
    ),
    "too_many_columns": (
        "'{file}' has more than {limit:d} columns, the limit for one table",
        "в «{file}» больше {limit:d} столбцов — предела для одной таблицы",
    ),
    "cell_too_long": (
        "a cell has more than {limit:d} characters, the limit for one cell (names and notes "
        "are far shorter); the file was not read further",
        "в ячейке больше {limit:d} символов — предела для одной ячейки (названия и заметки "
        "гораздо короче); дальше файл не читался",
    ),
    "settings_too_deep": (
        "'{file}' is nested too deeply to read; settings.json holds one flat object of "
        "key: value pairs",
        "«{file}» имеет слишком глубокую вложенность; settings.json содержит один плоский "
        "объект пар «ключ: значение»",
    ),
    "xlsx_entities": (
        "'{label}' declares XML entities or a document type, which a workbook saved by a "
        "spreadsheet program never does; it is refused for safety ({error})",
        "«{label}» объявляет XML-сущности или тип документа, чего книга, сохранённая "
        "табличной программой, никогда не делает; из соображений безопасности она не "
        "принята ({error})",
    ),
    "upload_unknown": (
        "'{file}' is not a file of the bundle, so it was ignored",
        "«{file}» не входит в набор данных, он не учитывается",
    ),
    "file_twice": (
        "{file} is given more than once ({files:,}); keep one of them",
        "{file} задан несколько раз ({files:,}); оставьте один",
    ),
    "number_ambiguous": (
        "is ambiguous: a comma followed by three digits may be a thousands separator or a "
        "decimal comma (and in a file with decimal commas, a point followed by three digits "
        "may separate thousands). Write the number without thousands separators, e.g. 1600 "
        "or 1.6",
        "неоднозначно: запятая и три цифры после неё могут быть и разделителем тысяч, и "
        "десятичной запятой (а в файле с десятичными запятыми точка и три цифры могут "
        "разделять тысячи). Запишите число без разделителей тысяч, например 1600 или 1,6",
    ),
    "number_too_large": (
        "is too large: numbers may be at most {limit:g} in size, so that the solver, which "
        "computes to about 15 significant digits, keeps the plan's sums exact",
        "слишком велико: числа могут быть не больше {limit:g} по модулю, чтобы решатель, "
        "считающий примерно с 15 значащими цифрами, сохранял точность сумм плана",
    ),
    "units_too_many": (
        "must be at most {limit:d}: every unit is one column of the model, and more units "
        "of one method for one client would take the server's memory and time for nothing "
        "(with decay the later units are worth almost nothing)",
        "должно быть не больше {limit:d}: каждая единица — отдельный столбец модели, и "
        "больше единиц одного метода для одного клиента заняли бы память и время сервера "
        "впустую (при убывании ценности дальние единицы почти ничего не стоят)",
    ),
    "model_too_large": (
        "the offered cells ({cells:d}) allow {units:d} units in all, more than the "
        "{limit:d} the model may have: every unit is one column of the model, and a larger "
        "model would take gigabytes of the server's memory and minutes of solving. Lower "
        "max_units of the methods or cells",
        "предлагаемые пары ({cells:d}) допускают в сумме {units:d} ед., больше предела "
        "модели в {limit:d}: каждая единица — отдельный столбец модели, и модель больше "
        "заняла бы гигабайты памяти сервера и минуты расчёта. Уменьшите «Макс. единиц» у методов "
        "или пар",
    ),
    "column_unknown": (
        "this column is not one the table uses, so it is ignored; did you mean '{suggestion}'?",
        "этот столбец таблица не использует, он не учитывается; может быть, имелся в виду "
        "«{suggestion}»?",
    ),
    "column_ignored": (
        "this column is not one the table uses, so it is ignored (columns: {known:,})",
        "этот столбец таблица не использует, он не учитывается (столбцы: {known:,})",
    ),
    "date_time_dropped": (
        "the time and UTC offset are dropped: the review date is {date}",
        "время и часовой пояс отброшены: дата пересмотра — {date}",
    ),
    # ---- cells -----------------------------------------------------------------------------
    "cell_required": (
        "{what} is required but the cell is blank",
        "{what}: обязательное поле, но ячейка пуста",
    ),
    "what_default_units": (
        "the default number of units per client",
        "число единиц на клиента по умолчанию",
    ),
    "what_weight": ("weight", "вес"),
    "what_decay": ("decay", "убывание"),
    "not_number": ("is not a number", "не число"),
    "not_usable_number": ("is not a usable number", "непригодное число"),
    "at_least": ("must be at least {x:g}", "должно быть не меньше {x:g}"),
    "greater_than": ("must be greater than {x:g}", "должно быть больше {x:g}"),
    "at_most": ("must be at most {x:g}", "должно быть не больше {x:g}"),
    "whole_number": ("must be a whole number", "должно быть целым числом"),
    # ---- ids and columns -------------------------------------------------------------------
    "id_blank": ("the id is blank", "код пуст"),
    "id_chars": (
        "ids may use only Latin letters, digits, '_', '.' and '-'",
        "код может содержать только латинские буквы, цифры, «_», «.» и «-»",
    ),
    "id_duplicate": (
        "duplicate id (first used on row {row_first:i})",
        "повторяющийся код (впервые в строке {row_first:i})",
    ),
    "column_missing": (
        "the column '{column}' is missing (columns found: {found:,})",
        "нет столбца «{column}» (найдены столбцы: {found:,})",
    ),
    "column_twice": ("the column appears more than once", "столбец встречается дважды"),
    # Tables as a sentence names them (`{other:table}`); the files keep their names.
    "tname_resources": ("resources", "«Ресурсы»"),
    "tname_methods": ("methods", "«Методы»"),
    "tname_clients": ("clients", "«Клиенты»"),
    "tname_values": ("values", "«Ценности»"),
    "tname_overrides": ("overrides", "«Особые расходы»"),
    "tname_relationship": ("relationship", "«Чек-лист отношений»"),
    "tname_bundle": ("bundle", "«Набор данных»"),
    "tname_settings": ("settings", "«Настройки»"),
    "table_missing": ("the table is missing", "таблица отсутствует"),
    "no_pools": (
        "the table has no rows: at least one pool is needed",
        "в таблице нет строк: нужен хотя бы один ресурс",
    ),
    "no_methods": (
        "the table has no rows: at least one method is needed",
        "в таблице нет строк: нужен хотя бы один метод",
    ),
    "not_a_pool_column": (
        "this column is not a pool in the resources table, so it is ignored",
        "этого столбца нет среди ресурсов в таблице «Ресурсы», он не учитывается",
    ),
    "cap_no_pool": (
        "'{column}' names no pool of the resources table (pools: {pools:,})",
        "«{column}» не соответствует ни одному ресурсу таблицы «Ресурсы» (ресурсы: {pools:,})",
    ),
    "unknown_client": (
        "this client id is not in the clients table",
        "такого клиента нет в таблице «Клиенты»",
    ),
    "unknown_method": (
        "this method id is not in the methods table",
        "такого метода нет в таблице «Методы»",
    ),
    "unknown_id": (
        "this id is not in the {other} table",
        "такого кода нет в таблице {other:table}",
    ),
    "pair_again": (
        "this client and method pair is already on row {row_first:i}",
        "эта пара клиент — метод уже есть в строке {row_first:i}",
    ),
    "low_above": (
        "the low estimate is above the value ({cell_value:g})",
        "нижняя оценка выше ценности ({cell_value:g})",
    ),
    "high_below": (
        "the high estimate is below the value ({cell_value:g})",
        "верхняя оценка ниже ценности ({cell_value:g})",
    ),
    "committed_over": (
        "more units are committed than the cell allows (max_units {max:g})",
        "обещано больше единиц, чем допускает пара («Макс. единиц»: {max:g})",
    ),
    "committed_blank": (
        "units are committed but the value is blank (blank = not offered); enter the value",
        "единицы обещаны, но ценность не задана (пусто — метод не предлагается); введите ценность",
    ),
    "override_again": (
        "the same override is already on row {row_first:i}",
        "такая же замена расхода уже есть в строке {row_first:i}",
    ),
    "override_not_offered": (
        "this method is not offered to this client (no value), so the override has no effect",
        "этот метод не предлагается клиенту (нет ценности), поэтому замена "
        "расхода ни на что не влияет",
    ),
    "rel_column_ignored": (
        "this column is not part of the checklist, so it is ignored (columns: {columns:,})",
        "этого столбца нет в чек-листе, он не учитывается (столбцы: {columns:,})",
    ),
    "rel_column_missing": (
        "the column is missing, so every client's answer counts as unknown",
        "столбца нет, поэтому ответ каждого клиента считается неизвестным",
    ),
    "yes_no": (
        "must be yes, no or unknown",
        "допустимы только ответы «да», «нет» или «неизвестно» (в файле: yes, no, unknown)",
    ),
    "not_date": ("is not a date (use YYYY-MM-DD)", "не дата (формат ГГГГ-ММ-ДД)"),
    "setting_unknown": (
        "unknown setting (known: {known:,})",
        "неизвестная настройка (известные: {known:,})",
    ),
    "setting_invalid": ("is not a valid value for this setting", "недопустимое значение настройки"),
    "setting_not_number": (
        "{field} must be a number, not '{value}'",
        "{field} должно быть числом, а не «{value}»",
    ),
    "setting_blank": ("{field} must not be blank", "{field} не может быть пустым"),
    "setting_not_bool": (
        "{field} must be true or false, not '{value}'",
        "{field} должно быть true или false, а не «{value}»",
    ),
    "setting_one_of": (
        "{field} must be one of {options:,}, not '{value}'",
        "{field} должно быть одним из значений {options:,}, а не «{value}»",
    ),
    "setting_between": (
        "{field} must be between {low:g} and {high:g}, not {value:g}",
        "{field} должно быть от {low:g} до {high:g}, а не {value:g}",
    ),
    "setting_positive": (
        "{field} must be positive, not {value:g}",
        "{field} должно быть больше нуля, а не {value:g}",
    ),
    "setting_at_least": (
        "{field} must be at least {low:g}, not {value:g}",
        "{field} должно быть не меньше {low:g}, а не {value:g}",
    ),
    # ---- conflicting requirements (no plan) ------------------------------------------------
    "conflict_need": (
        " (the commitments alone need {need})",
        " (одни только обязательства требуют {need})",
    ),
    "conflict_pool": (
        "{pool} is limited to {cap} {unit}{need}",
        "{pool} ограничен: {cap} {unit}{need}",
    ),
    "conflict_client_cap": (
        "{client} may use at most {cap} {unit} of {pool}{need}",
        "{client} может использовать не более {cap} {unit} ресурса «{pool}»{need}",
    ),
    "conflict_method_cap": (
        "{method} is limited to {cap} {unit} over all clients{need}",
        "«{method}»: не более {cap} {unit} на всех клиентов{need}",
    ),
    "conflict_floor": (
        "{client} must get at least {share:.0%} of the value it could get (value {value})",
        "{client} должен получить не менее {share:.0%} достижимой ценности (ценность {value})",
    ),
    "conflict_target": (
        "the plan must reach a value of {target}",
        "план должен достичь ценности {target}",
    ),
    "conflict_commitment": (
        "{n:d} {unit}(s) of {method} are committed in writing to {client}",
        "{n:d} {unit} метода «{method}» письменно обещано клиенту {client}",
    ),
    "conflict_cell_max": (
        "{client} can take at most {caps:,}",
        "{client} может получить не более: {caps:,}",
    ),
    "cell_max_item": ("{n:d} x {method}", "{n:d} × «{method}»"),
    "infeasible_header": (
        "No plan meets all of these requirements at once:",
        "Ни один план не выполняет все эти требования сразу:",
    ),
    "infeasible_item": ("- {conflict}", "- {conflict}"),
    "infeasible_footer": (
        "Change at least one of them: raise a capacity or a cap, lower a floor "
        "or the target, or release a commitment.",
        "Измените хотя бы одно из них: увеличьте объём ресурса или лимит, уменьшите "
        "минимальную долю или цель либо снимите обязательство.",
    ),
    "infeasible_too_large": (
        "No plan meets every requirement at once. The model is too large "
        "to find the smallest conflicting set; check commitments against "
        "capacities and client floors.",
        "Ни один план не выполняет все требования сразу. Модель слишком "
        "велика, чтобы найти наименьший набор противоречий: сравните "
        "обязательства с лимитами ресурсов и минимальными долями клиентов.",
    ),
    "solver_failed": ("The solver failed: {error}", "Решатель завершился с ошибкой: {error}"),
    # ---- statuses --------------------------------------------------------------------------
    "status_optimal": ("optimal", "оптимально"),
    "status_optimal_gap": ("optimal (gap {gap:.2%})", "оптимально (разрыв {gap:.2%})"),
    "status_feasible_gap": (
        "feasible, not proven optimal (gap {gap:.2%})",
        "допустимо, оптимальность не доказана (разрыв {gap:.2%})",
    ),
    "status_feasible": (
        "feasible, not proven optimal (gap unknown)",
        "допустимо, оптимальность не доказана (разрыв неизвестен)",
    ),
    "status_infeasible": ("infeasible", "недопустимо"),
    "status_error": ("error", "ошибка"),
    # ---- why a cell is not (fully) funded --------------------------------------------------
    "limit_pool": ("{pool}", "{pool}"),
    "limit_client_cap": ("{client}'s cap on {pool}", "лимит клиента {client} на «{pool}»"),
    "limit_method_cap": ("the capacity of {method}", "лимит метода «{method}»"),
    "limit_floor": ("{client}'s value floor", "минимальная доля клиента {client}"),
    "limit_target": ("the value target", "цель по ценности"),
    "reason_limited_by": ("; limited by {limits}", "; ограничивает: {limits}"),
    "reason_no_value": (
        "the client gives this method no value",
        "клиент не придаёт этому методу ценности",
    ),
    "reason_integer": (
        "not funded in the whole-units plan{limited}",
        "не профинансировано в плане из целых единиц{limited}",
    ),
    "reason_needs_value": (
        "would need a first-unit value of {needed:.1f} (now {value:.1f}) to "
        "enter the plan{limited}",
        "вошло бы в план при ценности первой единицы {needed:.1f} (сейчас {value:.1f}){limited}",
    ),
    "reason_margin_more": (
        "at the margin: more {limits} would fund more of it",
        "на границе: больше ресурса ({limits}) профинансирует больше",
    ),
    "reason_not_needed": (
        "not needed to reach the target at least cost",
        "не нужно, чтобы достичь цели с наименьшими затратами",
    ),
    "reason_alternatives": (
        "at the margin: equally good alternatives",
        "на границе: есть равноценные альтернативы",
    ),
    # ---- exact reasons: needed values that are bounds or estimates, conflicting sets -------
    "reason_needs_at_least": (
        "would need a first-unit value of at least {needed:.1f} (now {value:.1f}) to "
        "enter the plan (a bound from the prices){limited}",
        "вошло бы в план лишь при ценности первой единицы не меньше {needed:.1f} "
        "(сейчас {value:.1f}; оценка снизу по ценам){limited}",
    ),
    "reason_needs_estimate": (
        "would need a first-unit value of about {needed:.1f} (now {value:.1f}) to "
        "enter the plan (an estimate from the prices, not a threshold){limited}",
        "вошло бы в план примерно при ценности первой единицы {needed:.1f} "
        "(сейчас {value:.1f}; приближённая оценка по ценам, не порог){limited}",
    ),
    "reason_never": (
        "would not enter the plan at any first-unit value tried{limited}",
        "не вошло бы в план ни при какой проверенной ценности первой единицы{limited}",
    ),
    "infeasible_not_smallest": (
        "This is a conflicting set, not proven smallest: the search for the smallest set "
        "stopped at its time limit.",
        "Это противоречивый набор требований, но не доказано, что наименьший: поиск "
        "наименьшего набора остановлен по лимиту времени.",
    ),
    # ---- the relationship checklist -------------------------------------------------------
    "rel_bad_credit": (
        "the credit for an unknown answer must be between 0 and 1, not {value}",
        "зачёт за ответ «неизвестно» должен быть от 0 до 1, а не {value}",
    ),
    "rel_bad_date": (
        "'{value}' is not a date (use YYYY-MM-DD)",
        "«{value}» — не дата (формат ГГГГ-ММ-ДД)",
    ),
    "rel_bad_days": (
        "the number of days must be a whole number of at least 0, not {value}",
        "число дней должно быть целым и не меньше 0, а не {value}",
    ),
    "rel_bad_factor": (
        "the widening factor must be a number of at least 1, not {value}",
        "коэффициент расширения должен быть числом не меньше 1, а не {value}",
    ),
    "rel_not_a_client": ("'{client}' is not a client", "«{client}» — не клиент"),
    # ---- the scenario store ----------------------------------------------------------------
    "store_exists": ("a scenario named '{name}' already exists", "сценарий «{name}» уже есть"),
    "store_missing": ("there is no scenario named '{name}'", "сценария «{name}» нет"),
    "store_no_name": ("a scenario needs a name", "у сценария должно быть название"),
    "store_long_name": (
        "a scenario name may have at most {max:d} characters (this one has {length:d})",
        "название сценария может содержать не более {max:d} символов (в этом {length:d})",
    ),
    "store_url": (
        "'{path}': only SQLite files are supported (a path, or sqlite:///path)",
        "«{path}»: поддерживаются только файлы SQLite (путь или sqlite:///путь)",
    ),
    "store_folder": (
        "'{path}' is a folder, not a scenario database file",
        "«{path}» — папка, а не файл сценариев",
    ),
    "store_not_db": (
        "'{path}' is not a scenario database (it is not an SQLite file, or it is "
        "damaged). It was left untouched; choose another file for the scenarios.",
        "«{path}» — не файл сценариев (не SQLite или повреждён). Файл не изменён; "
        "выберите для сценариев другой файл.",
    ),
    "store_io_folder": (
        "cannot create the folder for '{path}': {error}",
        "нельзя создать папку для «{path}»: {error}",
    ),
    "store_io_open": ("cannot open '{path}': {error}", "нельзя открыть «{path}»: {error}"),
    "store_unusable": (
        "the scenario database '{path}' cannot be used: {error}. It was left untouched.",
        "файлом сценариев «{path}» нельзя пользоваться: {error}. Файл не изменён.",
    ),
    "store_busy": (
        "the scenario database '{path}' stayed busy for {seconds:.0f} s (another save?); try again",
        "файл сценариев «{path}» был занят {seconds:.0f} с (идёт другое "
        "сохранение?); попробуйте ещё раз",
    ),
    "store_newer": (
        "'{path}' was written by a newer version of the planner (schema {version:d}; "
        "this one reads up to {supported:d})",
        "«{path}» записан более новой версией планировщика (схема {version:d}; эта "
        "версия читает до {supported:d})",
    ),
    "store_foreign": (
        "'{path}' is an SQLite database of something else, not of scenarios; it was left untouched",
        "«{path}» — база SQLite другой программы, а не сценариев; файл не изменён",
    ),
    "store_damaged_scenario": (
        "the scenario '{name}' is damaged in '{path}': {error}",
        "сценарий «{name}» в файле «{path}» повреждён: {error}",
    ),
    "store_no_result": (
        "a scenario needs a result or a summary of one",
        "сценарию нужен результат расчёта или его сводка",
    ),
    # ---- the scenario store without write access -------------------------------------------------
    "store_read_only": (
        "'{path}' cannot be written here (the file or its folder is read-only): its scenarios "
        "can be listed, shown, compared and loaded, but not saved, renamed or deleted. Ask for "
        "write access to the file and its folder, or choose another file.",
        "«{path}» здесь нельзя изменить (файл или его папка только для чтения): сценарии из "
        "него можно просматривать, сравнивать и загружать, но не сохранять, переименовывать "
        "или удалять. Попросите права на запись в файл и его папку или выберите другой файл.",
    ),
    # ---- long lists of issues: the rest of a kind counted ----------------------------------------
    "issues_more": (
        "… and {count:d} more of this kind in {table} (such as: {message})",
        "… и ещё {count:d} таких же в таблице {table:table} (например: {message})",
    ),
}

register(TEXTS)
