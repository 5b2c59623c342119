"""MPX: the text exchange format of MS Project 4.0 to 98 (read), in any locale.

An MPX file is a list of delimited records, each starting with its record
number: ``0`` header (whose 4th character is the field delimiter), ``10``
currency settings (decimal and thousands separators), ``12`` date settings
(day/month/year order), ``20``/``25``/``26`` base calendars, ``30`` project
header, ``40``/``41`` the resource columns, ``50`` resources, ``60``/``61`` the
task columns, ``70`` tasks, ``71`` notes, ``75`` assignments.

Localised MS Project writes durations, yes/no, link types and constraint names
in its own language (``5t`` in German, ``5j`` in French; ``EA`` for FS in German,
``FD`` in French). The reader takes the separators and date order from the
file itself and recognises English, German, French, Spanish, Italian,
Portuguese and Swedish words; what it does not recognise is named in the import
report rather than guessed. (MPXJ, by contrast, must be told the locale.)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import TYPE_CHECKING, Any

from pmfit.io.formats import Format, ImportReport, register
from pmfit.io.importcheck import Tally, calendar_data, clean_id, finish_import, minutes_of_day
from pmfit.io.safexml import read_bytes
from pmfit.model.diagnostics import Diagnostic, PlanError

if TYPE_CHECKING:
    from pmfit.model.plan import Plan

MAX_MPX_BYTES = 100 * 1024 * 1024
#: duration unit words by language -> (unit, elapsed)
UNITS: dict[str, tuple[str, bool]] = {}
for _unit, _words in {
    "m": ("m", "min", "mins", "mn", "mi", "minuten", "minutos", "minuti", "мин"),
    "h": ("h", "hr", "hrs", "std", "hs", "ore", "tim", "ч"),
    "d": ("d", "day", "days", "t", "tg", "tage", "j", "jours", "g", "gg", "dí", "dias", "dagar", "д"),
    "w": ("w", "wk", "wks", "wo", "sem", "s", "sett", "v", "vecka", "н"),
    "mo": ("mo", "mon", "mons", "ms", "mes", "meses", "mese", "mån", "mois", "мес"),
}.items():
    for _word in _words:
        UNITS[_word] = (_unit, False)
        UNITS["e" + _word] = (_unit, True)
        UNITS["f" + _word] = (_unit, True)  # German "fortlaufend"
        UNITS[_word + "e"] = (_unit, True)
UNITS["%"] = ("%", False)
UNITS["e%"] = ("%", True)
YES = {"yes", "ja", "oui", "sí", "si", "sim", "y", "1", "true", "да"}
LINK_WORDS = {
    # English, German (Ende-Anfang ...), French (Fin-Début ...), Spanish (Fin-Comienzo ...),
    # Portuguese (Término-Início ...), Italian (Fine-Inizio ...), Swedish (Slut-Start ...)
    "FS": "FS", "SS": "SS", "FF": "FF", "SF": "SF",
    "EA": "FS", "AA": "SS", "EE": "FF", "AE": "SF",
    "FD": "FS", "DD": "SS", "DF": "SF",
    "FC": "FS", "CC": "SS", "CF": "SF",
    "TI": "FS", "II": "SS", "TT": "FF", "IT": "SF",
    "FI": "FS", "IF": "SF",
}
CONSTRAINT_WORDS = {
    "as soon as possible": "ASAP", "as late as possible": "ALAP", "must start on": "MSO",
    "must finish on": "MFO", "start no earlier than": "SNET", "start no later than": "SNLT",
    "finish no earlier than": "FNET", "finish no later than": "FNLT",
    "so früh wie möglich": "ASAP", "so spät wie möglich": "ALAP", "muss anfangen am": "MSO",
    "muss enden am": "MFO", "anfang nicht früher als": "SNET", "anfang nicht später als": "SNLT",
    "ende nicht früher als": "FNET", "ende nicht später als": "FNLT",
    "dès que possible": "ASAP", "le plus tôt possible": "ASAP", "le plus tard possible": "ALAP",
    "doit commencer le": "MSO", "doit finir le": "MFO", "début au plus tôt le": "SNET",
    "début au plus tard le": "SNLT", "fin au plus tôt le": "FNET", "fin au plus tard le": "FNLT",
    "lo antes posible": "ASAP", "lo más tarde posible": "ALAP", "debe comenzar el": "MSO",
    "debe finalizar el": "MFO", "no comenzar antes del": "SNET", "no comenzar después del": "SNLT",
    "no finalizar antes del": "FNET", "no finalizar después del": "FNLT",
    "o mais breve possível": "ASAP", "o mais tarde possível": "ALAP",
    "il più presto possibile": "ASAP", "il più tardi possibile": "ALAP",
    "så snart som möjligt": "ASAP", "så sent som möjligt": "ALAP",
}
CONSTRAINT_CODES = {"0": "ASAP", "1": "ALAP", "2": "MSO", "3": "MFO", "4": "SNET", "5": "SNLT", "6": "FNET",
                    "7": "FNLT"}
PRIORITY_WORDS = {"lowest": 100, "very low": 200, "lower": 300, "low": 400, "medium": 500, "high": 600,
                  "higher": 700, "very high": 800, "highest": 900, "do not level": 1000}
CODEPAGES = {"ANSI": "cp1252", "437": "cp437", "850": "cp850", "852": "cp852", "860": "cp860",
             "863": "cp863", "865": "cp865", "MAC": "mac_roman"}
# task column numbers (record 61)
T_NAME, T_WBS, T_LEVEL, T_DURATION, T_BASE_DURATION, T_REMAINING, T_PCT = 1, 2, 3, 40, 41, 43, 44
T_START, T_FINISH, T_BASE_START, T_BASE_FINISH, T_ACT_START, T_ACT_FINISH = 50, 51, 56, 57, 58, 59
T_CDATE, T_PREDS, T_UID_PREDS, T_FIXED_COST, T_ACT_COST, T_WORK = 68, 70, 74, 35, 32, 20
T_MILESTONE, T_ID, T_CTYPE, T_PRIORITY, T_UID, T_SUMMARY = 81, 90, 91, 95, 98, 120
T_TEXT1 = 4
_PLAIN_ID = re.compile(r"^[^\s,]+(?: [^\s,]+)*$")


def _ids_in_text1(rows: list[dict[int, str]], loc: Any) -> bool:
    """Whether every task row's Text1 is a distinct plan id, as pmfit's MPX export writes them."""
    seen: set[str] = set()
    for values in rows:
        level = loc.number(values.get(T_LEVEL, "1") or "1")
        if level is not None and int(level) <= 0:
            continue
        text = (values.get(T_TEXT1) or "").strip()
        if not text or len(text) > 200 or text in seen or not _PLAIN_ID.match(text):
            return False
        seen.add(text)
    return bool(seen)
# resource column numbers (record 41)
R_NAME, R_GROUP, R_ID, R_MAX_UNITS, R_RATE, R_COST_PER_USE, R_UID = 1, 3, 40, 41, 42, 44, 49
DAY_KEYS = {"1": "sun", "2": "mon", "3": "tue", "4": "wed", "5": "thu", "6": "fri", "7": "sat"}


def _digits(text: str) -> bool:
    """Plain ASCII digits that make a small int (``1²`` and 5,000-digit numbers are not)."""
    text = text.strip()
    return text.isascii() and text.isdigit() and len(text) < 10


def _sniff(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"MPX")


class _Locale:
    """Separators and date order, as the file's records 0, 10 and 12 give them."""

    def __init__(self) -> None:
        self.delimiter = ","
        self.decimal = "."
        self.thousands = ","
        self.date_order = 0  # 0 MDY, 1 DMY, 2 YMD
        self.default_minute = 480
        self.unknown: dict[str, int] = {}

    def number(self, text: str) -> float | None:
        value = re.sub(r"[^\d\-+.,eE]", "", text.strip())
        if not value:
            return None
        if self.thousands and self.thousands != self.decimal:
            value = value.replace(self.thousands, "")
        value = value.replace(self.decimal, ".")
        try:
            number = float(value)
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None

    def duration(self, text: str) -> tuple[float, str, bool] | None:
        """``12d`` -> (12, "d", elapsed False); ``2,5t`` (German) -> (2.5, "d", False)."""
        match = re.match(r"^\s*([-+]?[\d.,]+)\s*([^\d\s?]*)\??\s*$", text)
        if not match:
            return None
        amount = self.number(match[1])
        if amount is None:
            return None
        word = match[2].strip().lower().rstrip(".")
        if not word:
            return amount, "d", False
        unit = UNITS.get(word)
        if unit is None:
            self.unknown[word] = self.unknown.get(word, 0) + 1
            return None
        return amount, unit[0], unit[1]

    def date(self, text: str) -> dt.datetime | None:
        text = text.strip()
        if not text or text.upper() in ("NA", "N/A", "NV", "ND", "NB", "NON DISPONIBLE"):
            return None
        match = re.search(r"(\d{1,4})\D(\d{1,2})\D(\d{1,4})(?:\s+(\d{1,2})[:.](\d{2})\s*([AaPp][Mm])?)?", text)
        if not match:
            return None
        a, b, c = int(match[1]), int(match[2]), int(match[3])
        if self.date_order == 1:
            day, month, year = a, b, c
        elif self.date_order == 2:
            year, month, day = a, b, c
        else:
            month, day, year = a, b, c
        if year < 100:
            year += 2000 if year < 50 else 1900
        try:
            value = dt.datetime(year, month, day)
        except ValueError:
            return None
        if match[4] is not None:
            hour, minute = int(match[4]), int(match[5])
            if match[6] and match[6].lower() == "pm" and hour < 12:
                hour += 12
            if match[6] and match[6].lower() == "am" and hour == 12:
                hour = 0
            if hour < 24 and minute < 60:
                value = value.replace(hour=hour, minute=minute)
        else:
            value += dt.timedelta(minutes=self.default_minute)
        return value


def read_mpx(path: str) -> tuple[Plan, ImportReport]:
    """Read an MPX file into a plan and an import report."""
    data = read_bytes(path, MAX_MPX_BYTES)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.startswith(b"MPX") or len(data.split(b"\n", 1)[0]) < 4:
        raise PlanError(Diagnostic("bad_file", "not an MPX file (it does not start with MPX)", file=path, line=1))
    first_line = data.split(b"\n", 1)[0].decode("latin-1")
    delimiter = first_line[3]
    codepage = first_line.rstrip("\r").split(delimiter)[-1].strip().upper() if delimiter else "ANSI"
    encoding = CODEPAGES.get(codepage, "cp1252")
    if codepage in ("UTF8", "UTF-8"):
        encoding = "utf-8"
    text = data.decode(encoding, errors="replace")
    return _Reader(path, text, delimiter, encoding).read()


class _Reader:
    def __init__(self, filename: str, text: str, delimiter: str, encoding: str) -> None:
        self.filename = filename
        self.text = text
        self.loc = _Locale()
        self.loc.delimiter = delimiter if delimiter not in ("\r", "\n", '"') else ","
        self.report = ImportReport("mpx", filename)
        self.report.read.append(f"MPX text ({encoding}, fields separated by {self.loc.delimiter!r})")
        self.tally = Tally()

    def read(self) -> tuple[Plan, ImportReport]:
        loc, tally, report = self.loc, self.tally, self.report
        reader = csv.reader(io.StringIO(self.text), delimiter=loc.delimiter, quotechar='"')
        task_cols: list[int] = []
        res_cols: list[int] = []
        calendars: dict[str, dict[str, Any]] = {}
        current_cal: dict[str, Any] | None = None
        project: dict[str, str] = {}
        resources: list[dict[str, Any]] = []
        res_by_id: dict[str, str] = {}
        res_calendar: dict[str, str] = {}
        raw_tasks: list[dict[int, str]] = []
        notes: dict[int, list[str]] = {}
        assignments: dict[int, list[list[str]]] = {}
        current_res: dict[str, Any] | None = None
        res_used: set[str] = set()
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise PlanError(Diagnostic("bad_file", f"not readable MPX: {exc}", file=self.filename,
                                       line=reader.line_num)) from None
        for number, row in enumerate(rows, start=1):
            if not row:
                continue
            record = row[0].strip()
            fields = row[1:]
            if record == "10" and len(fields) >= 5:
                loc.thousands, loc.decimal = fields[3][:1], fields[4][:1] or "."
            elif record == "12" and len(fields) >= 3:
                loc.date_order = int(fields[0]) if _digits(fields[0]) else 0
                value = loc.number(fields[2])
                if value is not None and 0 <= value < 1440:
                    loc.default_minute = int(value)
            elif record in ("20", "55"):
                name = fields[0].strip() if fields else ""
                if record == "20":
                    current_cal = {"name": name, "days": fields[1:8], "hours": {}, "exceptions": []}
                    calendars[name] = current_cal
                else:
                    if current_res is not None and name:
                        res_calendar[current_res["id"]] = name
                    current_cal = None
            elif record == "25" and current_cal is not None and fields:
                current_cal["hours"][fields[0].strip()] = fields[1:]
            elif record == "26" and current_cal is not None and len(fields) >= 3:
                current_cal["exceptions"].append(fields)
            elif record == "30":
                keys = ("name", "company", "manager", "calendar", "start", "finish", "schedule_from")
                project = dict(zip(keys, (f.strip() for f in fields), strict=False))
            elif record == "41":
                res_cols = [int(f) for f in fields if _digits(f)]
            elif record == "50":
                values = dict(zip(res_cols, fields, strict=False))
                current_res = self._resource(values, res_used)
                if current_res is not None:
                    resources.append(current_res)
                    res_by_id[values.get(R_ID, "").strip() or str(len(resources))] = current_res["id"]
            elif record == "61":
                task_cols = [int(f) for f in fields if _digits(f)]
            elif record == "70":
                if not task_cols:
                    raise PlanError(Diagnostic("bad_file", "a task (record 70) before the task columns (61)",
                                               file=self.filename, line=number))
                raw_tasks.append(dict(zip(task_cols, fields, strict=False)))
            elif record == "71" and raw_tasks:
                notes.setdefault(len(raw_tasks) - 1, []).append(loc.delimiter.join(fields))
            elif record == "75" and raw_tasks:
                assignments.setdefault(len(raw_tasks) - 1, []).append(fields)
            elif record == "72" and raw_tasks:
                tally.approx("recurring task", "kept as a summary of its occurrences")

        # calendars
        specs: dict[str, dict[str, Any]] = {}
        for name, cal in calendars.items():
            specs[name] = self._calendar(cal)
        project_cal_name = project.get("calendar") or next(iter(calendars), "")
        project_cal = specs.get(project_cal_name)
        from pmfit.model.calendar import CalendarSpec

        try:
            cal_model = CalendarSpec.model_validate(project_cal) if project_cal else CalendarSpec()
        except Exception:
            project_cal, cal_model = None, CalendarSpec()
            tally.approx("the project calendar", "could not be read; the standard calendar is used")
        mpd = cal_model.minutes_per_day
        dpw = cal_model.days_per_week
        day_start, day_end = cal_model.day_shifts()[0][0], cal_model.day_shifts()[-1][1]
        for r in resources:
            cname = res_calendar.get(r["id"])
            if cname and cname != project_cal_name and cname in specs:
                r["calendar"] = specs[cname]

        def minutes(value: tuple[float, str, bool], what: str, ident: str) -> float:
            amount, unit, elapsed = value
            per: float = {"m": 1, "h": 60, "d": mpd, "w": mpd * dpw, "mo": mpd * 20}.get(unit, mpd)
            if elapsed:
                tally.approx(f"elapsed {what}", "kept as working time", ident, f"elapsed {what} kept as working time")
                per = {"m": 1, "h": 60, "d": 1440, "w": 10080, "mo": 43200}[unit] * mpd / 1440
            return amount * per

        def duration_text(total: float) -> str:
            from pmfit.model.duration import Duration

            if abs(total - round(total)) > 1e-6:
                return str(Duration(total / 60, "h"))
            return str(Duration.from_minutes(round(total), mpd))

        # tasks: ids, outline
        used: set[str] = set()
        id_to_task: dict[str, str] = {}
        stack: list[tuple[int, str]] = []
        entries: list[tuple[dict[int, str], str, str | None, int]] = []
        own_ids = _ids_in_text1(raw_tasks, loc)
        if own_ids:
            report.read.append("task ids from Text1 (where pmfit's MPX export keeps them)")
        for index, values in enumerate(raw_tasks):
            level_value = loc.number(values.get(T_LEVEL, "1") or "1")
            level = int(level_value) if level_value is not None else 1
            if level <= 0:
                continue  # the project summary row
            uid = (values.get(T_TEXT1) if own_ids else None) or (values.get(T_UID) or values.get(T_ID) or str(index))
            uid = uid.strip()
            ident = clean_id(uid, used)
            tid = (values.get(T_ID) or "").strip()
            if tid:
                id_to_task[tid] = ident
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1] if stack else None
            stack.append((level, ident))
            entries.append((values, ident, parent, index))
        uid_to_task = {(v.get(T_UID) or "").strip(): i for v, i, _, _ in entries if (v.get(T_UID) or "").strip()}
        parents = {p for _, _, p, _ in entries if p is not None}

        tasks: list[dict[str, Any]] = []
        progress: dict[str, dict[str, Any]] = {}
        baseline: dict[str, dict[str, Any]] = {}
        for values, ident, parent, index in entries:
            task: dict[str, Any] = {"id": ident}
            name = (values.get(T_NAME) or "").strip()
            if name and name != ident:
                task["name"] = name
            if parent:
                task["parent"] = parent
            summary = ident in parents
            dur = loc.duration(values.get(T_DURATION, "") or "0d")
            total = minutes(dur, "duration", ident) if dur and dur[1] != "%" else 0.0
            if dur is None and (values.get(T_DURATION) or "").strip():
                tally.drop("duration not understood", f"{values.get(T_DURATION)!r} read as 0", ident)
            milestone = (values.get(T_MILESTONE) or "").strip().lower() in YES
            if milestone:
                task["milestone"] = True
            elif not summary:
                task["duration"] = duration_text(max(total, 0.0))
            work = loc.duration(values.get(T_WORK, "") or "")
            if work and work[1] != "%" and work[0] > 0 and not summary:
                task["work"] = duration_text(minutes(work, "work", ident))
            ctext = (values.get(T_CTYPE) or "").strip()
            ctype = CONSTRAINT_CODES.get(ctext) or CONSTRAINT_WORDS.get(ctext.lower())
            if ctext and ctype is None:
                tally.drop(f"constraint type '{ctext}'", "not understood (pmfit reads English, German, French, "
                           "Spanish, Portuguese, Italian and Swedish names)", ident)
            cdate = loc.date(values.get(T_CDATE, "") or "")
            if ctype == "ALAP":
                task["constraint"] = {"type": "ALAP"}
            elif ctype and ctype != "ASAP" and cdate is not None:
                clock = day_end if ctype in ("FNET", "FNLT", "MFO") else day_start
                minute = cdate.hour * 60 + cdate.minute
                task["constraint"] = {"type": ctype, "date": cdate.date()
                                      if minute in (clock, loc.default_minute) else cdate}
            ptext = (values.get(T_PRIORITY) or "").strip().lower()
            if ptext in PRIORITY_WORDS and PRIORITY_WORDS[ptext] != 500:
                task["priority"] = PRIORITY_WORDS[ptext]
            elif ptext and _digits(ptext) and int(ptext) != 500:
                task["priority"] = min(int(ptext), 1000)
            cost = loc.number(values.get(T_FIXED_COST, "") or "")
            if cost:
                task["cost"] = max(cost, 0.0)
            if index in notes:
                task["notes"] = "\n".join(notes[index]).strip()
            links = self._links(values, ident, id_to_task, uid_to_task, minutes, duration_text)
            if links:
                task["after"] = links
            needs: dict[str, float] = {}
            for a in assignments.get(index, []):
                rid = res_by_id.get(a[0].strip()) if a else None
                if rid is None:
                    continue
                unit_text = a[1] if len(a) > 1 else "1"
                units = loc.number(unit_text)
                if units is None:
                    units = 1.0
                if "%" in unit_text:
                    units /= 100
                if units <= 0:
                    tally.drop("assignment with zero units", "nothing to keep", ident)
                    continue
                if summary:
                    tally.drop("assignment on a summary task", "pmfit puts work on leaf tasks only", ident)
                    continue
                needs[rid] = needs.get(rid, 0.0) + units
            if needs:
                task["needs"] = needs
            tasks.append(task)
            start, finish = loc.date(values.get(T_START, "") or ""), loc.date(values.get(T_FINISH, "") or "")
            if start or finish:
                # A date without a time of day is compared as a day by the schedule check.
                self.report.file_dates[ident] = (
                    start.date() if start and ":" not in values.get(T_START, "") else start,
                    finish.date() if finish and ":" not in values.get(T_FINISH, "") else finish)
            act_start = loc.date(values.get(T_ACT_START, "") or "")
            act_finish = loc.date(values.get(T_ACT_FINISH, "") or "")
            pct = loc.number((values.get(T_PCT) or "").replace("%", "")) or 0.0
            if act_start or pct > 0:
                entry: dict[str, Any] = {"percent_complete": min(max(pct, 0.0), 100.0)}
                if act_start:
                    entry["actual_start"] = act_start
                if act_finish:
                    entry["actual_finish"] = act_finish
                elif entry["percent_complete"] >= 100:
                    entry["percent_complete"] = 99.99
                progress[ident] = entry
            bs, bf = loc.date(values.get(T_BASE_START, "") or ""), loc.date(values.get(T_BASE_FINISH, "") or "")
            bd = loc.duration(values.get(T_BASE_DURATION, "") or "")
            if bs and bf and bd and bd[1] != "%":
                baseline[ident] = {"start": bs, "finish": bf,
                                   "duration": duration_text(max(minutes(bd, "duration", ident), 0))}
        for word, count in loc.unknown.items():
            tally.drop(f"duration unit '{word}'", f"not understood in {count} values (read as 0)")

        first = min((d[0] if isinstance(d[0], dt.datetime) else dt.datetime.combine(d[0], dt.time())
                     for d in self.report.file_dates.values() if d[0] is not None), default=None)
        start = loc.date(project.get("start", "") or "") or first
        if start is None:
            start = dt.datetime.combine(dt.date.today(), dt.time())
            tally.approx("project without a start date", "starts today")
        if (project.get("schedule_from") or "0").strip() not in ("0", ""):
            tally.approx("the project is scheduled from its finish date", "pmfit schedules forward from the start")
        proj: dict[str, Any] = {"name": project.get("name") or "MPX project",
                                "start": start.date() if start.hour * 60 + start.minute in (day_start, 0) else start}
        if project_cal:
            proj["calendar"] = project_cal
        data: dict[str, Any] = {"version": 1, "project": proj, "resources": resources, "tasks": tasks}
        if progress:
            data["progress"] = {"tasks": progress}
        if baseline:
            data["baselines"] = [{"name": "baseline", "tasks": baseline}]
        n_links = sum(len(t.get("after", [])) for t in tasks)
        report.read[:0] = [f"{len(tasks)} tasks ({len(parents)} summary)", f"{n_links} links",
                           f"{len(resources)} resources",
                           f"{sum(len(t.get('needs', {})) for t in tasks)} assignments",
                           f"{len(calendars)} calendars"]
        plan = finish_import(data, report, tally)
        return plan, report

    def _resource(self, values: dict[int, str], used: set[str]) -> dict[str, Any] | None:
        loc = self.loc
        name = (values.get(R_NAME) or "").strip()
        uid = (values.get(R_UID) or values.get(R_ID) or "").strip()
        if not name and not uid:
            return None
        ident = clean_id(name or f"R{uid}", used, f"R{uid}")
        out: dict[str, Any] = {"id": ident}
        units_text = values.get(R_MAX_UNITS, "") or ""
        units = loc.number(units_text)
        if units is not None:
            if "%" in units_text:
                units /= 100
            if units > 0 and units != 1:
                out["units"] = units
        rate_text = values.get(R_RATE, "") or ""
        rate = loc.number(rate_text.split("/")[0])
        if rate:
            per = rate_text.split("/")[-1].strip().lower().rstrip(".") if "/" in rate_text else "h"
            unit = UNITS.get(per, ("h", False))[0]
            out["rate"] = {"amount": rate, "per": unit if unit in ("h", "d", "w", "mo") else "h"}
        if loc.number(values.get(R_COST_PER_USE, "") or ""):
            self.tally.drop("cost per use", "not kept (pmfit rates are per hour)", ident)
        group = (values.get(R_GROUP) or "").strip()
        if group:
            out["team"] = group
        return out

    def _links(self, values: dict[int, str], ident: str, id_to_task: dict[str, str],
               uid_to_task: dict[str, str], minutes: Any, duration_text: Any) -> list[str]:
        text, lookup = values.get(T_PREDS, ""), id_to_task
        if not (text or "").strip() and (values.get(T_UID_PREDS) or "").strip():
            text, lookup = values.get(T_UID_PREDS, ""), uid_to_task
        out = []
        for part in re.split(r"[,;]", text or ""):
            part = part.strip()
            if not part:
                continue
            match = re.match(r"^(\d+)\s*([A-Za-z]{2})?\s*([-+].*)?$", part)
            if not match:
                self.tally.drop("predecessor not understood", f"{part!r} ignored", ident)
                continue
            pred = lookup.get(match[1])
            if pred is None:
                self.tally.drop("link to a missing task", f"predecessor {match[1]} is not in the file", ident)
                continue
            kind = LINK_WORDS.get((match[2] or "FS").upper())
            if kind is None:
                self.tally.drop(f"link type '{match[2]}'", "not understood; read as FS", ident)
                kind = "FS"
            link = pred if kind == "FS" else f"{pred} {kind}"
            if match[3]:
                sign = -1 if match[3].strip().startswith("-") else 1
                lag = self.loc.duration(match[3].strip()[1:])
                if lag is not None and lag[1] == "%":
                    self.tally.drop("percentage lag", "not kept (the predecessor's length is not known here)",
                                    ident)
                elif lag is not None and lag[2]:  # elapsed (3ed): calendar time, kept as it is
                    from pmfit.model.duration import ELAPSED_MINUTES, Lag

                    calendar_minutes = lag[0] * ELAPSED_MINUTES["e" + lag[1]]
                    if calendar_minutes:
                        text = str(Lag.elapsed_minutes(calendar_minutes, "e" + lag[1]))
                        link = f"{pred} {kind}{'+' if sign > 0 else '-'}{text}"
                elif lag is not None:
                    total = minutes(lag, "lag", ident)
                    if total:
                        link = f"{pred} {kind}{'+' if sign > 0 else '-'}{duration_text(abs(total))}"
            out.append(link)
        return out

    def _calendar(self, cal: dict[str, Any]) -> dict[str, Any]:
        week: dict[str, list[tuple[int, int]]] = {}
        for i, flag in enumerate(cal["days"][:7]):
            key = DAY_KEYS[str(i + 1)]
            working = flag.strip() == "1"
            hours = cal["hours"].get(str(i + 1))
            shifts = self._shifts(hours) if hours else []
            if working:
                week[key] = shifts or [(480, 720), (780, 1020)]
            else:
                week[key] = []
        exceptions: list[tuple[dt.date, dt.date, list[tuple[int, int]], str | None]] = []
        for fields in cal["exceptions"]:
            first, last = self.loc.date(fields[0]), self.loc.date(fields[1])
            if first is None or last is None:
                continue
            working = fields[2].strip() == "1"
            shifts = self._shifts(fields[3:]) if working else []
            exceptions.append((first.date(), last.date(), shifts or ([(480, 720), (780, 1020)] if working else []),
                               None))
        return calendar_data(cal["name"] or None, week, exceptions, self.tally)

    @staticmethod
    def _shifts(values: list[str]) -> list[tuple[int, int]]:
        out = []
        times = [v.strip() for v in values if v.strip()]
        for a, b in zip(times[0::2], times[1::2], strict=False):
            try:
                start, end = minutes_of_day(a), minutes_of_day(b)
            except ValueError:
                continue
            if end == 0:
                end = 1440
            if end > start:
                out.append((start, end))
        return out


def _write_mpx(plan: Plan, path: str, schedule: Any = None) -> dict[str, str]:
    from pmfit.io.mpxwrite import write_mpx

    return write_mpx(plan, path, schedule)


register(Format("mpx", (".mpx",), _sniff, read_mpx, _write_mpx, "MPX (MS Project 4.0-98 exchange text, any locale)"))
