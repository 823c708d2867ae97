"""Realistic names, companies and cities, made in Python without a database
(every benchmark draws them from its own ``random.Random(seed)``, so a run's
data repeat exactly), and the lead CSV the import benchmarks read."""
from __future__ import annotations

import csv
import io
import random
import unicodedata

FIRST_NAMES = [
    "Anna", "Jean", "Ola", "Kari", "Piotr", "Maria", "Budi", "Sari", "Louis", "Zofia", "Ingrid", "Dewi", "Lars",
    "Camille", "Tomasz", "Agnieszka", "Rizky", "Putri", "Emma", "Lucas", "Nora", "Hugo", "Julia", "Jakub", "Siti",
    "Agus", "Marie", "Pierre", "Kristin", "Erik", "Magnus", "Sofie", "Léa", "Chloé", "Mateusz", "Katarzyna",
    "Wahyu", "Indah", "Olivia", "James", "Sophie", "Thomas", "Ewa", "Marek", "Nina", "Henrik", "Astrid", "Claire",
    "Antoine", "Paweł", "Małgorzata", "Ayu", "Bayu", "Fitri", "Daniel", "Sarah", "Michael", "Laura", "David", "Elise",
    "Sindre", "Hanne", "Mathilde", "Bartosz", "Joanna", "Eko", "Rina", "Oliver", "Grace", "Noah",
]
# Ordered from most to least common; weights fall off like real surname lists.
LAST_NAMES = [
    "Hansen", "Nowak", "Martin", "Santoso", "Smith", "Johansen", "Kowalski", "Bernard", "Wijaya", "Olsen",
    "Dubois", "Wiśniewski", "Jones", "Larsen", "Thomas", "Saputra", "Andersen", "Wójcik", "Robert", "Taylor",
    "Pedersen", "Kowalczyk", "Richard", "Hidayat", "Nilsen", "Kamiński", "Petit", "Brown", "Kristiansen",
    "Lewandowski", "Durand", "Kusuma", "Jensen", "Zieliński", "Leroy", "Williams", "Karlsen", "Szymański",
    "Moreau", "Pratama", "Berg", "Woźniak", "Lefebvre", "Wilson", "Haugen", "Mazur", "Mercier", "Setiawan",
    "Dahl", "Krawczyk", "Lambert", "Gunawan", "Bakken", "Kaczmarek", "Bonnet", "Nugroho", "Strand", "Halim",
    "Robinson", "Wright", "Lie", "Tan", "Fontaine", "Sørensen", "Jakobsen", "Rousseau", "Grabowski", "Lim",
]
LAST_WEIGHTS = [1 / (rank + 10) ** 0.7 for rank in range(len(LAST_NAMES))]  # top name ~3.5%
JOB_TITLES = [
    "Purchasing Manager", "CEO", "IT Director", "Office Manager", "Sales Director", "CFO", "Account Manager",
    "Project Manager", "Marketing Manager", "Operations Manager", "Buyer", "Logistics Coordinator", "HR Manager",
    "Product Owner", "Chief Engineer", "Customer Service Lead", "Financial Controller", "Managing Director",
    "Procurement Specialist", "Quality Manager",
]
COMPANY_WORDS = [
    "Nordic", "Atlas", "Baltic", "Summit", "Harbor", "Pioneer", "Silver", "Granite", "Coastal", "Alpine", "Blue",
    "Green", "Golden", "Royal", "United", "Central", "Global", "Pacific", "Northern", "Western", "Bright", "Rapid",
    "Prime", "Delta", "Apex", "Vertex", "Crystal", "Evergreen", "Fjord", "Lumière", "Vistula", "Java", "Borneo",
    "Riviera", "Arctic", "Oak", "Maple", "Cedar", "Polar", "Aurora",
]
COMPANY_TRADES = [
    "Traders", "Logistics", "Systems", "Foods", "Energy", "Textiles", "Motors", "Pharma", "Media", "Consulting",
    "Construction", "Electronics", "Furniture", "Shipping", "Software", "Paper", "Metals", "Plastics", "Coffee",
    "Winery", "Outfitters", "Marine", "Robotics", "Labs", "Analytics", "Health", "Farms", "Brewing", "Design", "Optics",
]
# city, country, postal code pattern, phone prefix, legal form, street names
CITIES = [
    ("Oslo", "Norway", "0{:03d}", "+47 22", "AS", ["Storgata", "Karl Johans gate", "Drammensveien"]),
    ("Bergen", "Norway", "50{:02d}", "+47 55", "AS", ["Strandgaten", "Nygårdsgaten"]),
    ("Trondheim", "Norway", "70{:02d}", "+47 73", "AS", ["Munkegata", "Olav Tryggvasons gate"]),
    ("Stavanger", "Norway", "40{:02d}", "+47 51", "AS", ["Kirkegata", "Løkkeveien"]),
    ("Paris", "France", "750{:02d}", "+33 1", "SAS", ["rue de Rivoli", "boulevard Haussmann", "rue Lafayette"]),
    ("Lyon", "France", "6900{:01d}", "+33 4", "SARL", ["rue de la République", "cours Lafayette"]),
    ("Bordeaux", "France", "330{:02d}", "+33 5", "SAS", ["cours de l'Intendance", "quai des Chartrons"]),
    ("Lille", "France", "590{:02d}", "+33 3", "SARL", ["rue Nationale", "boulevard de la Liberté"]),
    ("Nantes", "France", "440{:02d}", "+33 2", "SAS", ["rue Crébillon", "quai de la Fosse"]),
    ("Warszawa", "Poland", "00-{:03d}", "+48 22", "Sp. z o.o.", ["ul. Marszałkowska", "al. Jerozolimskie"]),
    ("Kraków", "Poland", "30-{:03d}", "+48 12", "Sp. z o.o.", ["ul. Floriańska", "ul. Długa"]),
    ("Gdańsk", "Poland", "80-{:03d}", "+48 58", "S.A.", ["ul. Długa", "ul. Grunwaldzka"]),
    ("Wrocław", "Poland", "50-{:03d}", "+48 71", "Sp. z o.o.", ["ul. Świdnicka", "ul. Legnicka"]),
    ("Poznań", "Poland", "60-{:03d}", "+48 61", "Sp. z o.o.", ["ul. Półwiejska", "ul. Głogowska"]),
    ("Jakarta", "Indonesia", "10{:03d}", "+62 21", "PT", ["Jl. Sudirman", "Jl. Thamrin", "Jl. Gatot Subroto"]),
    ("Bandung", "Indonesia", "40{:03d}", "+62 22", "PT", ["Jl. Asia Afrika", "Jl. Braga"]),
    ("Surabaya", "Indonesia", "60{:03d}", "+62 31", "PT", ["Jl. Tunjungan", "Jl. Basuki Rahmat"]),
    ("Medan", "Indonesia", "20{:03d}", "+62 61", "PT", ["Jl. Gatot Subroto", "Jl. Imam Bonjol"]),
    ("London", "United Kingdom", "EC{:d}A 1BB", "+44 20", "Ltd", ["High Street", "Baker Street", "Fleet Street"]),
    ("Manchester", "United Kingdom", "M{:d} 2AB", "+44 161", "Ltd", ["Deansgate", "Market Street"]),
    ("Edinburgh", "United Kingdom", "EH{:d} 1YZ", "+44 131", "Ltd", ["Princes Street", "George Street"]),
]
CITY_WEIGHTS = [8, 4, 3, 2, 8, 4, 3, 2, 2, 6, 4, 3, 2, 2, 6, 3, 3, 1, 6, 3, 2]
TOPICS = ["pricing", "delivery", "a demo", "renewal", "the spring range", "invoice 2024-118", "the service contract",
          "volume discounts", "the trade show", "onboarding", "a complaint", "the new catalogue", "payment terms",
          "the pilot project", "shipping costs", "the framework agreement"]


def account_names(rng: random.Random, count: int) -> list[tuple[str, str, int]]:
    """``count`` distinct account names: (base, name, city index), the name being
    "<Word> <Trade> [City] <legal form>" ("Nordic Traders Oslo AS", "PT Java Foods").

    The words make 26,400 different names; past that (264,000 contacts and
    more) they repeat with a number ("Nordic Traders Oslo 2 AS"), so any size
    can be seeded. Up to 26,400 the names are those of earlier runs, drawn
    from ``rng`` in the same order, so the results stay comparable.
    """
    variants = len(CITIES) + 1          # one per city, and one without a city
    pool = len(COMPANY_WORDS) * len(COMPANY_TRADES) * variants
    cities = rng.choices(range(len(CITIES)), weights=CITY_WEIGHTS, k=count)
    names: list[tuple[str, str, int]] = []
    round_number = 1
    while len(names) < count:
        for pick in rng.sample(range(pool), min(pool, count - len(names))):
            combo, variant = divmod(pick, variants)
            word, trade = COMPANY_WORDS[combo // len(COMPANY_TRADES)], COMPANY_TRADES[combo % len(COMPANY_TRADES)]
            city_index = cities[len(names)] if variant == len(CITIES) else variant
            legal = CITIES[city_index][4]
            base = f"{word} {trade}" + (f" {CITIES[city_index][0]}" if variant != len(CITIES) else "")
            if round_number > 1:
                base = f"{base} {round_number}"
            names.append((base, f"PT {base}" if legal == "PT" else f"{base} {legal}", city_index))
        round_number += 1
    return names


def ascii_slug(text: str) -> str:
    """``text`` as lower-case ASCII letters and digits (for e-mail addresses and domains)."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum())


# The lead CSV: Outlook-style headers, 14 columns, accents, 5 % of rows repeating an e-mail.
CSV_FIRST_NAMES = ["Anna", "Jean", "Ola", "Kari", "Piotr", "Maria", "Budi", "Sari", "Louis", "Zofia", "Ingrid", "Dewi",
                   "Zoë"]
CSV_LAST_NAMES = ["Hansen", "Dubois", "Kowalski", "Santoso", "Larsen", "Moreau", "Nowak", "Wijaya", "Berg", "Lefèvre"]
CSV_CITIES = [("Oslo", "Norway"), ("Lyon", "France"), ("Kraków", "Poland"), ("Bandung", "Indonesia")]
CSV_HEADER = ["First Name", "Last Name", "E-mail Address", "Business Phone", "Mobile Phone", "Company", "Job Title",
              "Business Street", "Business City", "Business Postal Code", "Business Country/Region", "Lead Source",
              "Notes", "Web Page"]


def leads_csv(rows: int, seed: int = 7) -> bytes:
    """A lead CSV of ``rows`` rows (UTF-8), the same for the same seed."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for i in range(rows):
        first, last = rng.choice(CSV_FIRST_NAMES), rng.choice(CSV_LAST_NAMES)
        n = i if rng.random() > 0.05 else rng.randrange(max(i, 1))
        city, country = rng.choice(CSV_CITIES)
        address = unicodedata.normalize("NFKD", f"{first}.{last}.{n}@example.com".lower()).encode("ascii", "ignore").decode()
        writer.writerow([first, last, address, f"+47 22 {n % 100:02d} {n % 97:02d}",
                         f"+47 9{n % 10}0 {n % 1000:03d}", f"{last} & Co {n % 500}", "Purchasing Manager",
                         f"{n % 200} Market Street", city, f"{n % 9000 + 1000}", country,
                         rng.choice(["Web", "Event", "Trade fair 2026", "Partner"]), "Met at the spring fair", ""])
    return out.getvalue().encode("utf-8")
