"""Derive the role advisor's shipped data from the O*NET / BLS extracts in ../shared/data/roles.

    python tools/build_role_data.py [--source ../shared/data/roles] [--out src/pmfit/data/roles]

Writes two files into the package (both committed, so a clean checkout needs no shared data):

- ``onet.json``: the O*NET 29.3 task statements of the four occupations (id, occupation,
  text), which role each statement anchors, the product names of the O*NET technology
  skills grouped into pmfit domains by their UNSPSC commodity, the words of the project
  management task statements (13-1082.00) for the neutral "management" domain, and the
  alternate titles of each occupation; with the CC BY 4.0 attribution.
- ``salaries.yaml``: BLS OEWS May 2024 national annual wage percentiles for 13-1082 (general
  PM) and 15-1299 (IT PM proxy), each row with its source and year; the loaded-cost
  multiplier (BLS ECEC, December 2024) and the technical-PM market ratios (an estimate).

Everything is derived by the rules written below; nothing is typed in by hand except the
commodity-to-domain map, the ECEC figures and the market ratios, each stated with its source.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ATTRIBUTION = (
    "This product includes information from the O*NET 29.3 Database by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. "
    "O*NET(R) is a trademark of USDOL/ETA. The authors have modified all or some of this "
    "information. USDOL/ETA has not approved, endorsed, or tested these modifications. "
    "https://www.onetcenter.org/database.html ; licence https://www.onetcenter.org/license_db.html"
)

# Which role each occupation's statements anchor. The technical PM has no O*NET occupation
# ("Technical Project Manager" is an alternate title under both 13-1082.00 and 15-1299.09), so it
# is anchored on Architectural and Engineering Managers (integration of technical activities,
# design changes, specifications) plus the 11-3021.00 statements about directing programmers
# and reviewing programs; the IT PM on 15-1299.09 plus the 11-3021.00 statements about IT
# operations (security, backup, support, upgrades, equipment); the general PM on 13-1082.00.
OCCUPATION_ROLE = {"13-1082.00": "general", "15-1299.09": "it", "11-9041.00": "technical"}
CIS_TECHNICAL = {"969", "972", "979", "967", "970"}
CIS_IT = {"971", "973", "966", "15198", "981", "975"}

# UNSPSC commodity title -> pmfit domain. Office, e-mail, calendar, conferencing and project
# management software say nothing about the kind of project, so they are left out.
COMMODITY_DOMAIN = {
    "Development environment software": "software",
    "Object or component oriented development software": "software",
    "Web platform development software": "software",
    "Program testing software": "software",
    "Graphical user interface development software": "software",
    "File versioning software": "software",
    "Requirements analysis and system architecture software": "software",
    "Expert system software": "data",
    "Data mining software": "data",
    "Analytical or scientific software": "data",
    "Business intelligence and data analysis software": "data",
    "Data base management system software": "data",
    "Data base user interface and query software": "data",
    "Object oriented data base management software": "data",
    "Data base reporting software": "data",
    "Operating system software": "it_infrastructure",
    "Network monitoring software": "it_infrastructure",
    "LAN software": "it_infrastructure",
    "Wireless software": "it_infrastructure",
    "Software defined networking/ virtualization software": "it_infrastructure",
    "Clustering software": "it_infrastructure",
    "Backup or archival software": "it_infrastructure",
    "Filesystem software": "it_infrastructure",
    "Enterprise system management software": "it_infrastructure",
    "Configuration management software": "it_infrastructure",
    "Communications server software": "it_infrastructure",
    "Transaction server software": "it_infrastructure",
    "Portal server software": "it_infrastructure",
    "Application server software": "it_infrastructure",
    "Cloud-based management software": "it_infrastructure",
    "Cloud-based data access and sharing software": "it_infrastructure",
    "Platform interconnectivity software": "it_infrastructure",
    "Network connectivity terminal emulation software": "it_infrastructure",
    "Internet protocol IP multimedia subsystem software": "it_infrastructure",
    "Network security and virtual private network VPN equipment software": "it_security",
    "Network security or virtual private network VPN management software": "it_security",
    "Transaction security and virus protection software": "it_security",
    "Cloud-based protection or security software": "it_security",
    "Enterprise resource planning ERP software": "enterprise_apps",
    "Customer relationship management CRM software": "enterprise_apps",
    "Enterprise application integration software": "enterprise_apps",
    "Human resources software": "enterprise_apps",
    "Accounting software": "enterprise_apps",
    "Helpdesk or call center software": "enterprise_apps",
    "Inventory management software": "enterprise_apps",
    "Materials requirements planning logistics and supply chain software": "enterprise_apps",
    "Document management software": "enterprise_apps",
    "Content workflow software": "enterprise_apps",
    "Compliance software": "enterprise_apps",
    "Time accounting software": "enterprise_apps",
    "Medical software": "enterprise_apps",
    "Computer based training software": "end_user_it",
    "Multi-media educational software": "end_user_it",
    "Computer aided design CAD software": "hardware_engineering",
    "Computer aided manufacturing CAM software": "hardware_engineering",
    "Industrial control software": "hardware_engineering",
    "Pattern design software": "hardware_engineering",
    "Geographic information system": "hardware_engineering",
    "Graphics or photo imaging software": "marketing_comms",
    "Video creation and editing software": "marketing_comms",
    "Desktop publishing software": "marketing_comms",
    "Sales and marketing software": "marketing_comms",
}

STOP = set("""a an and or the of for to in on with by at from as is are be this that these those it its into
per via such other others all any each more most some software system systems service services suite
microsoft ibm oracle google amazon apple adobe sap hp cisco vmware red hat enterprise server servers data
base manager management platform cloud online web studio business professional edition pro tools tool
toolkit center centre standard express plus desktop open source network networks project projects team
teams application applications app apps information computer computers program programs development
user users new office file files document documents work make use used using version program
area boot code drive extra library over power transfer voice volume mind micro fleet acquisition drawing pert
cut final creative city core advanced dynamic foundation framework pages sheets style workshop stack unified
notation build continuous agile lean desk easy edge now objects premium procedure sync tax billing coding
collaborative healthcare lifecycle lifecyle extended alpha four pressure surface water tech solution structured
issue gradient relational replication collaboration compute analytics crystal slim act automated integrated
instruments rational dynamic creek ext fog forge meister mojo notebook canu cabie ase abl rcm matic loom sonic
raiser pilgrim epic nav geometric parametric supervisory merlin helix domino solaris windows ios""".split())  # noqa: SIM905
# (the second block above: ordinary English words, or names too ambiguous to mean one domain,
#  found by reading the token lists this script printed; `windows`/`ios` are curated instead)

TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def read(source: Path, name: str) -> list[dict[str, str]]:
    with (source / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def common_words(source: Path) -> set[str]:
    """Ordinary English words: every word of O*NET's own descriptive text in the extracts.

    A product-name token that O*NET also uses as a plain word ("customer", "design", "code")
    is not a product name and would mislead the matcher, so it is dropped.
    """
    words: set[str] = set()
    columns = {"tasks.csv": ["task"], "skills.csv": ["element_name", "element_description"],
               "knowledge.csv": ["element_name", "element_description"],
               "work_styles.csv": ["element_name", "element_description"],
               "occupations.csv": ["title", "description"], "technology_skills.csv": ["commodity_title"],
               "related_occupations.csv": ["related_title"], "alternate_titles.csv": ["alternate_title"]}
    for name, cols in columns.items():
        for row in read(source, name):
            for col in cols:
                words.update(tokens(row.get(col) or ""))
    return words


def build_onet(source: Path) -> dict[str, object]:
    occupations = {r["onet_soc_code"]: r["title"] for r in read(source, "occupations.csv")}
    statements = []
    for row in read(source, "tasks.csv"):
        soc, tid = row["onet_soc_code"], row["task_id"]
        if soc in OCCUPATION_ROLE:
            role = OCCUPATION_ROLE[soc]
        elif tid in CIS_TECHNICAL:
            role = "technical"
        elif tid in CIS_IT:
            role = "it"
        else:
            role = "contrast"
        statements.append({"id": tid, "soc": soc, "occupation": occupations.get(soc, row["title"]),
                           "text": row["task"], "type": row["task_type"] or "", "role": role})

    # Technology-skill product names: a token is kept for a domain when it is not generic (STOP)
    # and appears under exactly one domain, so "oracle" (databases, ERP, Java) is dropped while
    # "kubernetes" or "salesforce" are kept. Each kept token has weight 1 (curated terms are 2-3).
    common = common_words(source)
    by_token: dict[str, set[str]] = defaultdict(set)
    hot: set[str] = set()
    for row in read(source, "technology_skills.csv"):
        domain = COMMODITY_DOMAIN.get(row["commodity_title"])
        if domain is None:
            continue
        for tok in tokens(row["example"]):
            if tok in STOP or tok in common or len(tok) < 3 or tok.isdigit():
                continue
            by_token[tok].add(domain)
            if row["hot_technology"] == "Y":
                hot.add(tok)
    tech_terms: dict[str, list[str]] = defaultdict(list)
    for tok, domains in sorted(by_token.items()):
        if len(domains) == 1:
            tech_terms[next(iter(domains))].append(tok)

    # Words of the general PM's task statements: the neutral vocabulary of managing a project.
    management = sorted({t for s in statements if s["soc"] == "13-1082.00" for t in tokens(s["text"])
                         if t not in STOP and len(t) > 3})

    titles = [{"soc": r["onet_soc_code"], "title": r["alternate_title"]}
              for r in read(source, "alternate_titles.csv")]
    return {
        "source": "O*NET 29.3 Database (May 2025), USDOL/ETA; extracts in ../shared/data/roles",
        "licence": "CC BY 4.0",
        "attribution": ATTRIBUTION,
        "occupations": occupations,
        "statements": statements,
        "technology_terms": dict(sorted(tech_terms.items())),
        "hot_technologies": sorted(t for t in hot if len(by_token[t]) == 1),
        "management_terms": management,
        "titles": titles,
    }


def build_salaries(source: Path) -> str:
    rows = {(r["survey"], r["soc_code"]): r for r in read(source, "oews_national_wages.csv")}
    out = [
        "# PM salary table for pmfit's role advisor (generated by tools/build_role_data.py).",
        "# Every row names its source and year. Override with `pmfit advise --salaries FILE`",
        "# (same layout, YAML or CSV) or `project.pm_salaries` in the plan.",
        "version: 1",
        "currency: USD",
        "loaded_cost:",
        "  # total employer compensation / wages and salaries, private industry workers:",
        "  # $44.67 / $31.47 per hour worked = 1.42 (wages 70.5% of employer costs).",
        "  multiplier: 1.42",
        "  source: BLS Employer Costs for Employee Compensation, December 2024 (USDL-25-0335), private industry",
        "  year: 2024",
        "technical_ratio:",
        "  # A technical PM is said to earn about 40% more than a general PM and 20% more than an IT PM.",
        "  # A market claim attributed to Glassdoor with no date or method: an overridable default,",
        "  # not a statistic. pmfit applies both ratios and shows the two results as a range.",
        "  over_general: 0.40",
        "  over_it: 0.20",
        "  basis: estimate",
        "  source: market claim attributed to Glassdoor (undated, no method published)",
        "rows:",
    ]
    for role, soc, note in (("general", "13-1082", "Project Management Specialists"),
                            ("it", "15-1299", "Computer Occupations, All Other (IT project manager proxy: "
                                              "also holds other computer occupations)")):
        r = rows[("OEWS May 2024", soc)]
        out += [
            f"  - role: {role}",
            "    location: US",
            "    currency: USD",
            f"    p10: {r['a_pct10']}",
            f"    p25: {r['a_pct25']}",
            f"    median: {r['a_median']}",
            f"    p75: {r['a_pct75']}",
            f"    p90: {r['a_pct90']}",
            f"    mean: {r['a_mean']}",
            "    basis: statistic",
            f"    source: \"BLS OEWS May 2024, national, SOC {soc} {note}, annual wage\"",
            "    year: 2024",
        ]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data" / "roles")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "pmfit" / "data" / "roles")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    onet = build_onet(args.source)
    (args.out / "onet.json").write_text(json.dumps(onet, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (args.out / "salaries.yaml").write_text(build_salaries(args.source), encoding="utf-8")
    print(f"wrote {args.out / 'onet.json'} ({len(onet['statements'])} statements, "  # type: ignore[arg-type]
          f"{sum(len(v) for v in onet['technology_terms'].values())} technology terms) and "  # type: ignore[attr-defined]
          f"{args.out / 'salaries.yaml'}")


if __name__ == "__main__":
    main()
