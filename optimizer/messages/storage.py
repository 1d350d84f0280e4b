"""Catalogue section: the database's own texts (code -> (English, Russian)).

The errors of the storage beyond the scenario store's (a server that cannot be reached, the
kinds of address), of the shared working plan and of the team (`store_*`, raised as
StoreError), and the words of the `workspace` and `team` commands (`cli_*`).
"""

from __future__ import annotations

from .catalog import register

TEXTS: dict[str, tuple[str, str]] = {
    # ---- the database: a server, and the kinds of address it accepts ----------------------------
    "store_url_kind": (
        "'{path}': the database must be an SQLite file (a path, or sqlite:///path) or a "
        "PostgreSQL server (postgresql+psycopg://user@host/database)",
        "«{path}»: база данных должна быть файлом SQLite (путь или sqlite:///путь) или "
        "сервером PostgreSQL (postgresql+psycopg://пользователь@сервер/база)",
    ),
    "store_unreachable": (
        "the database '{path}' cannot be reached: {error}. Nothing was written; try again "
        "when it is back.",
        "база данных «{path}» недоступна: {error}. Ничего не записано; попробуйте ещё раз, "
        "когда она снова будет доступна.",
    ),
    # ---- the shared working plan ----------------------------------------------------------------
    "store_ws_empty": (
        "the database '{path}' holds no working plan yet: import a bundle first "
        "(workspace import BUNDLE)",
        "в базе «{path}» ещё нет общего плана: сначала импортируйте набор данных "
        "(workspace import НАБОР)",
    ),
    "store_ws_conflict": (
        "{table} {key}, {column}: {set_by} changed it to '{current}' at {set_at}, after you "
        "saw '{seen}'; your value '{value}' was not saved",
        "{table} {key}, {column}: {set_by} изменил значение на «{current}» ({set_at}) после "
        "того, как вы видели «{seen}»; ваше значение «{value}» не сохранено",
    ),
    "store_ws_no_cell": (
        "the working plan has no cell {table} {key}, {column}",
        "в общем плане нет ячейки {table} {key}, {column}",
    ),
    "store_ws_key_column": (
        "{table}: the column {column} names the row and cannot be edited cell by cell",
        "{table}: столбец {column} задаёт строку, его нельзя менять по ячейкам",
    ),
    "store_ws_key_clash": (
        "{table}: two rows have the key '{key}'",
        "{table}: у двух строк один и тот же ключ «{key}»",
    ),
    "store_ws_since": (
        "'{since}' is neither a date (YYYY-MM-DD) nor the name of a saved scenario",
        "«{since}» — не дата (ГГГГ-ММ-ДД) и не название сохранённого сценария",
    ),
    "store_ws_empty_at": (
        "the database '{path}' held no working plan before {since}: it was first imported later",
        "в базе «{path}» не было общего плана до {since}: его впервые импортировали позже",
    ),
    # ---- the team -------------------------------------------------------------------------------
    "store_team_email": (
        "'{name}' is not an e-mail address",
        "«{name}» — не адрес электронной почты",
    ),
    "store_team_role": (
        "'{role}' is not a role (one of: {roles})",
        "«{role}» — не роль (возможные: {roles})",
    ),
    "store_team_no_clients": (
        "{name}: an account planner needs the clients assigned to them (--clients ID,...)",
        "{name}: менеджеру по клиентам нужно назначить клиентов (--clients ID,...)",
    ),
    "store_team_clients_not_planner": (
        "{name}: only an account planner has clients of their own (a {role} sees them all)",
        "{name}: свои клиенты есть только у менеджера по клиентам (роль {role} видит всех)",
    ),
    "store_team_unknown_clients": (
        "{name}: not clients of the working plan: {clients}",
        "{name}: таких клиентов нет в общем плане: {clients}",
    ),
    "team_shared_invalid": (
        "the shared plan has input errors in rows you do not see; the plan is shown again "
        "once the director fixes them",
        "в общем плане есть ошибки в строках, которые вам не видны; план появится снова, когда "
        "директор их исправит",
    ),
    "store_team_missing": ("{name} is not a member of the team", "{name} нет в команде"),
    "store_team_denied": (
        "{name} ({role}) may not change {table} {key}",
        "{name} (роль {role}) не может менять {table} {key}",
    ),
    # ---- the command line: --db in place of a bundle --------------------------------------------
    "cli_help_bundle_or_db": (
        "a bundle: a CSV folder, .xlsx or .zip (or --db: the shared working plan)",
        "набор данных: папка CSV, .xlsx или .zip (или --db: общий план)",
    ),
    "cli_help_input_db": (
        "solve the shared working plan in this database (a path or a URL) instead of a bundle",
        "решать общий план из этой базы данных (путь или URL) вместо набора данных",
    ),
    "cli_no_bundle": (
        "give a bundle, or --db with the database of the shared working plan",
        "укажите набор данных или --db с базой данных общего плана",
    ),
    "cli_bundle_and_db": (
        "give a bundle or --db, not both",
        "укажите либо набор данных, либо --db, но не оба",
    ),
    # ---- workspace ------------------------------------------------------------------------------
    "cli_help_workspace": (
        "the shared working plan in the database: import, export, set a cell, changes",
        "общий план в базе данных: импорт, выгрузка, изменение ячейки, журнал изменений",
    ),
    "cli_help_team_db": (
        "the database (a path or a URL; default: $RISK_PLANNER_DB, else the user's data folder)",
        "база данных (путь или URL; по умолчанию $RISK_PLANNER_DB, иначе папка данных "
        "пользователя)",
    ),
    "cli_help_who": (
        "who makes the change (default: $RISK_PLANNER_USER, else the login name)",
        "кто вносит изменение (по умолчанию $RISK_PLANNER_USER, иначе имя пользователя)",
    ),
    "cli_help_workspace_import": (
        "replace the working plan by a bundle (checked first)",
        "заменить общий план набором данных (сначала он проверяется)",
    ),
    "cli_help_workspace_export": (
        "write the working plan as a bundle (a folder, .xlsx or .zip)",
        "записать общий план как набор данных (папка, .xlsx или .zip)",
    ),
    "cli_help_workspace_set": (
        "set one cell, if it still holds the value you saw (--seen)",
        "изменить одну ячейку, если в ней всё ещё то значение, которое вы видели (--seen)",
    ),
    "cli_help_seen": (
        "the value the cell had when you looked (the edit is refused if it changed since)",
        "значение ячейки, которое вы видели (если оно с тех пор изменилось, правка отклоняется)",
    ),
    "cli_help_workspace_changes": (
        "every change of the working plan: who, when, table, row, column, old and new value",
        "все изменения общего плана: кто, когда, таблица, строка, столбец, старое и новое значение",
    ),
    "cli_help_since": (
        "only changes from this date (YYYY-MM-DD) or since this scenario was saved",
        "только изменения с этой даты (ГГГГ-ММ-ДД) или после сохранения этого сценария",
    ),
    "cli_workspace_imported": (
        "Imported {source} into {path}: {clients:i} clients, {cells:i} cells ({changed:i} changed)",
        "{source} импортирован в {path}: клиентов {clients:i}, ячеек {cells:i} "
        "(изменено {changed:i})",
    ),
    "cli_workspace_exported": (
        "Wrote the working plan of {path} to {out}",
        "Общий план из {path} записан в {out}",
    ),
    "cli_workspace_set": (
        "{table} {key}, {column}: '{old}' -> '{new}' (by {who})",
        "{table} {key}, {column}: «{old}» -> «{new}» (изменил {who})",
    ),
    "cli_workspace_unchanged": (
        "{table} {key}, {column}: already '{value}', nothing changed",
        "{table} {key}, {column}: уже «{value}», ничего не изменено",
    ),
    "cli_workspace_no_changes": ("No changes in {path}", "В {path} нет изменений"),
    "cli_workspace_changes": (
        "{count:i} change(s) in {path}:",
        "Изменений в {path}: {count:i}",
    ),
    "cli_workspace_import_line": (
        "  {at}  {who:<24} imported {source}",
        "  {at}  {who:<24} импортировал {source}",
    ),
    "cli_workspace_change_line": (
        "  {at}  {who:<24} {where}: '{old}' -> '{new}'",
        "  {at}  {who:<24} {where}: «{old}» -> «{new}»",
    ),
    # ---- team -----------------------------------------------------------------------------------
    "cli_help_team": (
        "the team's members and roles: add, list, remove",
        "участники команды и их роли: добавить, перечислить, удалить",
    ),
    "cli_help_team_add": (
        "add a member, or change a member's role and clients",
        "добавить участника или изменить его роль и клиентов",
    ),
    "cli_help_role": (
        "director (everything), planner (their clients only) or viewer (reads everything)",
        "director (всё), planner (только свои клиенты) или viewer (только просмотр всего)",
    ),
    "cli_help_clients": (
        "a planner's clients, comma-separated ids",
        "клиенты менеджера, коды через запятую",
    ),
    "cli_help_team_list": ("list the members", "перечислить участников"),
    "cli_help_team_remove": ("remove a member", "удалить участника"),
    "cli_team_added": (
        "Added {email} as {role}{clients} in {path}",
        "{email} добавлен с ролью {role}{clients} в {path}",
    ),
    "cli_team_updated": (
        "{email} is now {role}{clients} in {path}",
        "{email} теперь с ролью {role}{clients} в {path}",
    ),
    "cli_team_clients": (" (clients: {clients})", " (клиенты: {clients})"),
    "cli_team_none": ("No members in {path}", "В {path} нет участников"),
    "cli_team_count": ("{count:i} member(s) in {path}:", "Участников в {path}: {count:i}"),
    "cli_team_removed": ("Removed {email}", "{email} удалён"),
}

register(TEXTS)
