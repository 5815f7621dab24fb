#!/usr/bin/env python3
"""Deterministic generator for the held-out two-hop (bridge-entity) retrieval TEST set.

Writes, next to this script:
  corpus.jsonl     {"doc_id", "title", "content"}
  questions.jsonl  {"id", "question", "answer", "supporting": [hop1, hop2], "bridge"}
  README.md        description and counts

Standard library only; fixed seed; running it twice gives byte-identical files.
Usage:  python3 make_twohop.py
"""

import json
import os
import random
import re
from collections import Counter

SEED = 418207
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(SEED)


def pick(seq):
    return rng.choice(seq)


def chance(p):
    return rng.random() < p


def cap(s):
    return s[:1].upper() + s[1:]


def a(w):
    lw = w.lower()
    if lw.startswith(("uni", "uk", "uru", "eu", "one", "use", "usu")):
        return "a " + w
    return ("an " if lw[0] in "aeiou" else "a ") + w


def ordinal(n):
    return ["first", "second", "third", "fourth", "fifth", "sixth", "seventh"][n - 1]


NUMWORD = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]

# --------------------------------------------------------------------------------------
# Pools
# --------------------------------------------------------------------------------------
CITIES = [
    ("Lisbon", "Portugal", "Portuguese"),
    ("Porto", "Portugal", "Portuguese"),
    ("Coimbra", "Portugal", "Portuguese"),
    ("Valencia", "Spain", "Spanish"),
    ("Seville", "Spain", "Spanish"),
    ("Bilbao", "Spain", "Spanish"),
    ("Zaragoza", "Spain", "Spanish"),
    ("Lyon", "France", "French"),
    ("Marseille", "France", "French"),
    ("Bordeaux", "France", "French"),
    ("Toulouse", "France", "French"),
    ("Nantes", "France", "French"),
    ("Antwerp", "Belgium", "Belgian"),
    ("Ghent", "Belgium", "Belgian"),
    ("Liege", "Belgium", "Belgian"),
    ("Rotterdam", "Netherlands", "Dutch"),
    ("Utrecht", "Netherlands", "Dutch"),
    ("Groningen", "Netherlands", "Dutch"),
    ("Leipzig", "Germany", "German"),
    ("Hamburg", "Germany", "German"),
    ("Stuttgart", "Germany", "German"),
    ("Dresden", "Germany", "German"),
    ("Bremen", "Germany", "German"),
    ("Graz", "Austria", "Austrian"),
    ("Salzburg", "Austria", "Austrian"),
    ("Basel", "Switzerland", "Swiss"),
    ("Lausanne", "Switzerland", "Swiss"),
    ("Turin", "Italy", "Italian"),
    ("Bologna", "Italy", "Italian"),
    ("Naples", "Italy", "Italian"),
    ("Genoa", "Italy", "Italian"),
    ("Trieste", "Italy", "Italian"),
    ("Krakow", "Poland", "Polish"),
    ("Gdansk", "Poland", "Polish"),
    ("Wroclaw", "Poland", "Polish"),
    ("Brno", "Czech Republic", "Czech"),
    ("Bratislava", "Slovakia", "Slovak"),
    ("Debrecen", "Hungary", "Hungarian"),
    ("Cluj-Napoca", "Romania", "Romanian"),
    ("Plovdiv", "Bulgaria", "Bulgarian"),
    ("Thessaloniki", "Greece", "Greek"),
    ("Izmir", "Turkey", "Turkish"),
    ("Bergen", "Norway", "Norwegian"),
    ("Trondheim", "Norway", "Norwegian"),
    ("Gothenburg", "Sweden", "Swedish"),
    ("Uppsala", "Sweden", "Swedish"),
    ("Aarhus", "Denmark", "Danish"),
    ("Odense", "Denmark", "Danish"),
    ("Tampere", "Finland", "Finnish"),
    ("Turku", "Finland", "Finnish"),
    ("Tartu", "Estonia", "Estonian"),
    ("Kaunas", "Lithuania", "Lithuanian"),
    ("Cork", "Ireland", "Irish"),
    ("Galway", "Ireland", "Irish"),
    ("Leeds", "United Kingdom", "British"),
    ("Bristol", "United Kingdom", "British"),
    ("Glasgow", "United Kingdom", "British"),
    ("Cardiff", "United Kingdom", "British"),
    ("Reykjavik", "Iceland", "Icelandic"),
    ("Ljubljana", "Slovenia", "Slovenian"),
    ("Zagreb", "Croatia", "Croatian"),
    ("Novi Sad", "Serbia", "Serbian"),
    ("Lviv", "Ukraine", "Ukrainian"),
    ("Porto Alegre", "Brazil", "Brazilian"),
    ("Recife", "Brazil", "Brazilian"),
    ("Curitiba", "Brazil", "Brazilian"),
    ("Rosario", "Argentina", "Argentine"),
    ("Mendoza", "Argentina", "Argentine"),
    ("Valparaiso", "Chile", "Chilean"),
    ("Medellin", "Colombia", "Colombian"),
    ("Arequipa", "Peru", "Peruvian"),
    ("Guadalajara", "Mexico", "Mexican"),
    ("Monterrey", "Mexico", "Mexican"),
    ("Montevideo", "Uruguay", "Uruguayan"),
    ("Quebec City", "Canada", "Canadian"),
    ("Winnipeg", "Canada", "Canadian"),
    ("Calgary", "Canada", "Canadian"),
    ("Portland", "United States", "American"),
    ("Pittsburgh", "United States", "American"),
    ("Milwaukee", "United States", "American"),
    ("Sacramento", "United States", "American"),
    ("Tucson", "United States", "American"),
    ("Baltimore", "United States", "American"),
    ("Nashville", "United States", "American"),
    ("Osaka", "Japan", "Japanese"),
    ("Sapporo", "Japan", "Japanese"),
    ("Fukuoka", "Japan", "Japanese"),
    ("Busan", "South Korea", "South Korean"),
    ("Kaohsiung", "Taiwan", "Taiwanese"),
    ("Chengdu", "China", "Chinese"),
    ("Hangzhou", "China", "Chinese"),
    ("Da Nang", "Vietnam", "Vietnamese"),
    ("Chiang Mai", "Thailand", "Thai"),
    ("Cebu City", "Philippines", "Filipino"),
    ("Surabaya", "Indonesia", "Indonesian"),
    ("Pune", "India", "Indian"),
    ("Kochi", "India", "Indian"),
    ("Jaipur", "India", "Indian"),
    ("Lahore", "Pakistan", "Pakistani"),
    ("Kandy", "Sri Lanka", "Sri Lankan"),
    ("Shiraz", "Iran", "Iranian"),
    ("Haifa", "Israel", "Israeli"),
    ("Alexandria", "Egypt", "Egyptian"),
    ("Marrakesh", "Morocco", "Moroccan"),
    ("Tunis", "Tunisia", "Tunisian"),
    ("Kumasi", "Ghana", "Ghanaian"),
    ("Ibadan", "Nigeria", "Nigerian"),
    ("Mombasa", "Kenya", "Kenyan"),
    ("Arusha", "Tanzania", "Tanzanian"),
    ("Durban", "South Africa", "South African"),
    ("Windhoek", "Namibia", "Namibian"),
    ("Perth", "Australia", "Australian"),
    ("Hobart", "Australia", "Australian"),
    ("Adelaide", "Australia", "Australian"),
    ("Dunedin", "New Zealand", "New Zealander"),
]

FIRST_F = (
    "Ada Aiko Alba Alina Amara Anika Annelie Aoife Astrid Beatriz Bettina Bianca Brigid Camille Carys Catalina Celeste "
    "Chiara Dagny Daria Delphine Dilnoza Ebba Elif Elodie Elsa Esme Farida Fenna Freya Greta Hana Helga Ilse Imogen "
    "Ines Ingrid Isla Jana Jolien Josefa Kalina Karin Keiko Kirsi Lea Leilani Lena Liesel Linnea Lucia Maelle Maren "
    "Marisol Mei Mirela Nadia Naledi Nell Noor Odile Olena Orla Paloma Petra Priya Rana Rosalind Ruth Saanvi Selma "
    "Signe Sofia Solveig Tamsin Teodora Thandi Tove Ursula Valeria Vera Wanjiru Xiomara Yara Yusra Zofia Zuzana "
    "Agnieszka Bronwen Constance Dorothea Eun-ji Fatima Gwendolyn Hedda Ifeoma Jovana Kamala Ludmila Magdalena Nkechi "
    "Ottilie Perpetua Rosamund Sunniva Tereza Wilhelmina"
).split()
FIRST_M = (
    "Aarav Abel Adrian Ahmet Alaric Anders Anselm Arjun Arvid Bastian Benedek Bjorn Bram Caspar Cillian Cosmin "
    "Dario Declan Desmond Dmitri Eamon Emeka Emil Enzo Erland Esteban Ewan Fabian Felix Florin Gideon Goran Gustavo "
    "Hamish Haruto Henrik Hugo Ignacio Ilya Ivo Jakob Jasper Joaquin Jonas Kaito Kasimir Kofi Lars Leandro Lennart "
    "Lorcan Luca Magnus Malik Mateus Mattias Milan Nikolai Niall Oskar Otto Pavel Quentin Rafael Rasmus Reuben Rohan "
    "Ruben Sebastien Silas Soren Stellan Tadeo Tariq Teodor Thiago Tobias Ulrich Valentin Viktor Wendell Yannick "
    "Yusuf Zoltan Augustin Barnaby Cornelius Dashiell Evander Fitzgerald Gaspard Horatio Ambrose Jun-ho Leopold "
    "Obinna Percival Radomir Septimus Thaddeus Wystan"
).split()
SURN_PLAIN = (
    "Abernathy Achterberg Adebayo Ahlgren Albescu Alcott Amsel Andrade Arkwright Ashdown Aubert Bakshi Balogun "
    "Bancroft Barrow Beaumont Bellweather Benedetti Bergqvist Birkeland Blackwood Bonnefoy Borowski Brandauer "
    "Brennan Brockhurst Bustamante Cadogan Calder Callis Carrington Castellanos Cavanagh Chaudhry Ciobanu Colquhoun "
    "Corrigan Crowther Dahlgren Dalca Delacroix Demir Desrosiers Devlin Dobrev Draxler Drummond Dunmore Eberhardt "
    "Ekwueme Elstrom Engstrom Esposito Everett Falkenrath Fairbanks Farquhar Fennimore Ferreira Finchley Forsythe "
    "Galbraith Garnier Gaskell Geraghty Gonzaga Greaves Grimaldi Gundersen Halloran Halvorsen Hargreave Hartigan "
    "Haverkamp Hedlund Hollis Holmqvist Horvath Hyland Ibarra Ilves Iwasaki Jablonski Jankowski Jarvinen Kalnins "
    "Kapoor Karlsson Kasprzak Keane Kellerman Kowalczyk Kristiansen Lachance Lamontagne Larkspur Lindqvist Lombardi "
    "Lovell Lund Maddox Mahlangu Malmberg Marchetti Mbeki Medina Merriweather Mikkelsen Molnar Montague Moreau "
    "Nakamura Navarro Nieminen Norgaard Novak Nwosu Oakhurst Okafor Okonkwo Olander Oyelaran Pacheco Pallister "
    "Pemberton Penhaligon Petrescu Pilkington Quarrie Radcliffe Ramaswamy Rasmussen Ravenscroft Reinholt Rocha "
    "Rosenthal Rowntree Saarinen Salazar Sandoval Schenck Sefton Sheridan Silvestri Sinclair Sorensen Stavros "
    "Strand Sutcliffe Szabo Takahashi Talbot Tanaka Thornbury Tiwari Tolvanen Trevelyan Underhill Urquhart Valdez "
    "Vasquez Verhoeven Villanueva Virtanen Wainwright Wallenberg Waverley Weatherby Wexford Whitcombe Winterbourne "
    "Wojcik Yamamoto Yilmaz Zabala Zeller Zielinski Achebe Brandvold Caradoc Dunleavy Escobedo Fairweather Gallardo "
    "Hashemi Idowu Jovanovic Kwiatkowski Lindgren Mandeville Nordahl Ortega Pryce Quintero Ridgeway Soderberg "
    "Teague Uberti Vanterpool Whitlock Yardley Zamora Abiodun Bellamy Cortazar Dimitrov Ellingsen Fogarty Gorski "
    "Hallstrom Iliescu Jessop Kallio Laurent Mwangi Nyberg Ostrowski Penrose Rautio Stenberg Tremblay Vidal "
    "Wetherell Ashby Beckford Chalmers Dufresne Emsley Farrow Grantham Hawthorne Ingram Jeffreys Kinsella Lockhart "
    "Mortlake Northcott Oldfield Prentice Rushworth Stirling Thackeray Upton Vickery Wolcott"
).split()
SURN_PARTICLE = [
    "van der Berg",
    "de Almeida",
    "dos Santos",
    "ter Haar",
    "van Leeuwen",
    "de la Fuente",
    "O'Dowd",
    "MacAulay",
    "al-Haddad",
    "da Costa",
    "di Marco",
    "ten Brink",
    "del Valle",
    "van Rossem",
    "de Groot",
    "O'Farrell",
    "le Marchand",
    "von Ahlefeldt",
    "dal Pozzo",
    "Mac Giolla",
]
SURN = SURN_PLAIN + SURN_PARTICLE
INIT = list("ABCDEFGHJKLMNOPRSTW")

ONS = [
    "b",
    "br",
    "c",
    "cr",
    "d",
    "dr",
    "f",
    "g",
    "gl",
    "k",
    "kl",
    "l",
    "m",
    "n",
    "p",
    "pr",
    "r",
    "s",
    "st",
    "t",
    "tr",
    "v",
    "z",
    "th",
    "h",
]
VOW = ["a", "e", "i", "o", "u", "a", "e", "o", "ae", "io", "y"]
MID = ["l", "r", "n", "v", "nd", "rr", "ll", "m", "x", "th", "lv", "rn", "st", "nt"]
END = [
    "a",
    "o",
    "is",
    "ex",
    "on",
    "ar",
    "ix",
    "ia",
    "en",
    "ane",
    "ora",
    "ent",
    "eth",
    "ova",
    "ion",
    "ara",
    "elle",
    "und",
]
BAD = ("ass", "sex", "cum", "fag", "nig", "tit", "poo", "pis", "dic", "cun", "xx", "yy", "rape")
_COINED_USED = set()


def coined():
    while True:
        w = pick(ONS) + pick(VOW) + pick(MID) + pick(END)
        if chance(0.22):
            w = pick(ONS) + pick(VOW) + pick(MID) + pick(["a", "e", "i", "o"]) + pick(MID[:6]) + pick(END)
        w = w.capitalize()
        if any(b in w.lower() for b in BAD) or w in _COINED_USED or len(w) < 5:
            continue
        _COINED_USED.add(w)
        return w


class Registry:
    """Global name registry: no two entities share a full name, and no full name is a
    contiguous word-subsequence of another (so a name never matches inside another name)."""

    def __init__(self):
        self.names, self.grams = set(), set()

    @staticmethod
    def toks(name):
        return name.lower().replace(",", " ").split()

    def ok(self, name):
        t = self.toks(name)
        if " ".join(t) in self.grams:
            return False
        return not any(" ".join(t[i:j]) in self.names for i in range(len(t)) for j in range(i + 1, len(t) + 1))

    def add(self, name):
        t = self.toks(name)
        self.names.add(" ".join(t))
        for i in range(len(t)):
            for j in range(i + 1, len(t) + 1):
                self.grams.add(" ".join(t[i:j]))


REG = Registry()
for _c in CITIES:
    REG.add(_c[0])
    REG.add(_c[2])
    REG.add(_c[1])


def unique(gen):
    for _ in range(20000):
        n = gen()
        if REG.ok(n):
            REG.add(n)
            return n
    raise RuntimeError("name pool exhausted")


def city(exclude=()):
    ex = set(exclude)
    while True:
        c = pick(CITIES)
        if c[0] not in ex:
            return c


def ent(type_, name, art="", **kw):
    e = dict(type=type_, name=name, art=art, F=[])
    e.update(kw)
    return e


def ref(e):
    return ("the " + e["name"]) if e.get("art") else e["name"]


def Ref(e):
    return cap(ref(e))


def pro(p):
    d = dict(sub="she", obj="her", pos="her") if p["g"] == "f" else dict(sub="he", obj="him", pos="his")
    d.update(Sub=cap(d["sub"]), Pos=cap(d["pos"]))
    return d


# ---------------------------------------------------------------- name generators
def gen_person_name(g):
    first = pick(FIRST_F if g == "f" else FIRST_M)
    r = rng.random()
    if r < 0.62:
        return f"{first} {pick(SURN)}"
    if r < 0.74:
        return f"{first} {pick(INIT)}. {pick(SURN)}"
    if r < 0.86:
        return f"{first[0]}. {pick(INIT)}. {pick(SURN)}"
    x, y = pick(SURN_PLAIN), pick(SURN_PLAIN)
    return f"{first} {x}-{y}" if x != y else f"{first} {x}"


def person(g=None, born=None):
    g = g or pick("fm")
    home = born or city()
    return ent("person", unique(lambda: gen_person_name(g)), g=g, born=home)


CO_SUFFIX = [
    "Systems",
    "Labs",
    "Holdings",
    "Group",
    "Analytics",
    "Robotics",
    "Technologies",
    "Industries",
    "Works",
    "Dynamics",
    "Instruments",
    "Materials",
    "Solutions",
    "Engineering",
    "Devices",
    "Partners",
]
NAT_A = [
    "Blue",
    "Iron",
    "North",
    "Red",
    "Silver",
    "Granite",
    "Cedar",
    "Harbor",
    "Summit",
    "Willow",
    "Copper",
    "Amber",
    "Falcon",
    "Maple",
    "Stone",
    "Tide",
    "Ridge",
    "Lantern",
    "Meadow",
    "Quarry",
    "Juniper",
    "Birch",
    "Cobalt",
    "Oak",
]
NAT_B = [
    "Heron",
    "Meadow",
    "Quay",
    "Peak",
    "Field",
    "Bridge",
    "Rock",
    "Gate",
    "Harbor",
    "Crest",
    "Brook",
    "Forge",
    "Pine",
    "Hollow",
    "Point",
    "Line",
    "Wharf",
    "Mill",
    "Ledge",
]


def gen_company_name():
    r = rng.random()
    if r < 0.14:
        return f"{pick(SURN_PLAIN)} & {pick(SURN_PLAIN)}"
    if r < 0.24:
        return f"{pick(SURN_PLAIN)} & {pick(SURN_PLAIN)} {pick(CO_SUFFIX)}"
    if r < 0.40:
        return coined()
    if r < 0.56:
        return f"{coined()} {pick(CO_SUFFIX)}"
    if r < 0.67:
        return f"{pick(SURN_PLAIN)}-{pick(SURN_PLAIN)} {pick(CO_SUFFIX)}"
    if r < 0.88:
        return f"{pick(NAT_A)} {pick(NAT_B)} {pick(CO_SUFFIX)}"
    return f"{pick(INIT)}. {pick(INIT)}. {pick(SURN_PLAIN)} & Sons"


ADJ = [
    "Silent",
    "Hollow",
    "Distant",
    "Burning",
    "Crooked",
    "Golden",
    "Quiet",
    "Scarlet",
    "Last",
    "Northern",
    "Broken",
    "Drowned",
    "Bright",
    "Borrowed",
    "Invisible",
    "Patient",
    "Wandering",
    "Bitter",
    "Velvet",
    "Restless",
    "Lesser",
    "Second",
    "Salt-Stained",
    "Sleeping",
    "Unfinished",
    "Paper",
    "Winter",
    "Lantern-Lit",
    "Narrow",
    "Faraway",
    "Tender",
    "Lonely",
    "Green",
    "Heavy",
    "Hidden",
    "Amber",
    "Open",
    "Sunken",
    "Weightless",
    "Crimson",
]
NOUN = [
    "Orchard",
    "Lantern",
    "Harbour",
    "River",
    "Glasshouse",
    "Salt",
    "Mirror",
    "Garden",
    "Bridge",
    "Silence",
    "Lighthouse",
    "Meadow",
    "Ember",
    "Compass",
    "Tide",
    "Sparrow",
    "Archive",
    "Cathedral",
    "Map",
    "Thread",
    "Furnace",
    "Island",
    "Shore",
    "Feather",
    "Orchid",
    "Clockmaker",
    "Cartographer",
    "Weaver",
    "Ferryman",
    "Vineyard",
    "Quarry",
    "Horizon",
    "Monsoon",
    "Ash",
    "Lemon Tree",
    "Copper",
    "Marble",
    "Saffron",
    "Ledger",
    "Signal",
    "Station",
    "Kingdom",
    "Balcony",
    "Attic",
    "Telegram",
    "Orbit",
    "Tannery",
    "Aviary",
    "Almanac",
    "Heron",
    "Glacier",
    "Lagoon",
    "Observatory",
    "Boathouse",
    "Caravan",
    "Bell Tower",
    "Apiary",
    "Delta",
    "Cistern",
    "Greenhouse",
    "Embassy",
]
PLURAL = [
    "Lanterns",
    "Rivers",
    "Mirrors",
    "Bridges",
    "Sparrows",
    "Maps",
    "Threads",
    "Islands",
    "Feathers",
    "Orchids",
    "Signals",
    "Stations",
    "Telegrams",
    "Herons",
    "Glaciers",
    "Lagoons",
    "Caravans",
    "Embers",
    "Tides",
    "Ledgers",
    "Foxes",
    "Lighthouses",
    "Orchards",
    "Ferries",
    "Comets",
    "Satellites",
    "Wolves",
    "Harbours",
    "Pilgrims",
    "Swallows",
]
SEASON = ["Spring", "Summer", "Autumn", "Winter", "August", "November", "March", "the Dry Season", "the Long Rains"]
COLOR = ["Ochre", "Cobalt", "Grey", "Umber", "Vermilion", "Indigo", "Blue and Gold", "Green", "White", "Rose"]


def gen_title():
    r = rng.random()
    if r < 0.16:
        return f"The {pick(ADJ)} {pick(NOUN)}"
    if r < 0.27:
        return f"The {pick(NOUN)} of {pick(NOUN)}"
    if r < 0.36:
        return f"{pick(ADJ)} {pick(PLURAL)}"
    if r < 0.44:
        return f"{cap(a(pick(NOUN)))} in {pick(SEASON)}"
    if r < 0.52:
        return f"The {pick(NOUN)}'s {pick(['Daughter', 'Apprentice', 'Widow', 'Son', 'Secret', 'Ledger', 'Promise'])}"
    if r < 0.60:
        return f"Beneath the {pick(ADJ)} {pick(NOUN)}"
    if r < 0.68:
        return f"Letters from {coined()}"
    if r < 0.76:
        return f"{pick(NUMWORD).capitalize()} {pick(PLURAL)}"
    if r < 0.84:
        return f"After the {pick(NOUN)}"
    if r < 0.92:
        return f"{pick(NOUN)} and {pick(NOUN)}"
    return f"Notes on {a(pick(ADJ))} {pick(NOUN)}"


def gen_painting_title():
    r = rng.random()
    if r < 0.2:
        return f"Study in {pick(COLOR)}"
    if r < 0.35:
        return f"{pick(NOUN)} at Dusk"
    if r < 0.5:
        return f"Still Life with {pick(NOUN)}"
    if r < 0.65:
        return f"View of {coined()}"
    if r < 0.8:
        return f"The {pick(NOUN)} at {coined()}"
    return f"Portrait of {a('Woman' if chance(0.5) else 'Man')} in {pick(COLOR)}"


GENUS_END = ["ia", "us", "ella", "odon", "ops", "ina", "ura", "ax", "is", "ites", "ocara", "ella"]
EPITHET = [
    "marginata",
    "lateralis",
    "borealis",
    "minor",
    "splendens",
    "fuscus",
    "albiventris",
    "pallida",
    "ornata",
    "obscura",
    "gracilis",
    "maculata",
    "striatus",
    "rufescens",
    "aurea",
    "nigripes",
    "montana",
    "littoralis",
    "insularis",
    "tenuis",
    "cinerea",
    "vittata",
    "punctulata",
    "sylvestris",
    "crassipes",
    "longicauda",
]
COMMON_ADJ = [
    "ash-throated",
    "banded",
    "spotted",
    "pale",
    "crested",
    "dwarf",
    "striped",
    "golden-eyed",
    "dusky",
    "ringed",
    "copper-tailed",
    "blue-finned",
    "long-billed",
    "marsh",
    "reef",
    "cave",
    "highland",
    "velvet",
    "mottled",
    "red-legged",
    "saddle-backed",
    "glassy",
    "speckled",
    "hooded",
    "lantern",
    "ember",
]
ANIMALS = [
    ("warbler", "songbird"),
    ("goby", "fish"),
    ("tree frog", "frog"),
    ("beetle", "beetle"),
    ("orchid", "orchid"),
    ("skink", "lizard"),
    ("moth", "moth"),
    ("shrew", "shrew"),
    ("land snail", "snail"),
    ("gecko", "gecko"),
    ("sedge", "sedge"),
    ("fern", "fern"),
    ("wrasse", "fish"),
    ("damselfly", "damselfly"),
    ("leaf-nosed bat", "bat"),
    ("lichen", "lichen"),
    ("fiddler crab", "crab"),
    ("salamander", "salamander"),
    ("sunbird", "bird"),
    ("pipefish", "fish"),
]


def gen_binomial():
    g = coined()
    g = re.sub(r"(a|o|is|ex|on|ar|ix|ia|en|ane|ora|ent|eth|ova|ion|ara|elle|und)$", "", g) + pick(GENUS_END)
    if chance(0.25):
        sp = pick(SURN_PLAIN).lower() + "i"
    else:
        sp = pick(EPITHET)
    return f"{g} {sp}"


# ----------------------------------------------------------------------- misc pools
ROLES = [
    "senior data engineer",
    "procurement manager",
    "product designer",
    "head of quality assurance",
    "marketing director",
    "field service technician",
    "staff accountant",
    "research chemist",
    "supply-chain analyst",
    "user researcher",
    "in-house lawyer",
    "regional sales manager",
    "firmware developer",
    "operations coordinator",
    "technical writer",
    "recruitment partner",
    "project manager",
    "laboratory technician",
    "customer success lead",
    "financial controller",
    "machine-learning engineer",
    "brand strategist",
    "compliance officer",
    "test engineer",
    "logistics planner",
]
STUDY = [
    "chemical engineering",
    "economics",
    "industrial design",
    "physics",
    "accounting",
    "computer science",
    "materials science",
    "marketing",
    "mechanical engineering",
    "statistics",
    "law",
    "biochemistry",
    "geography",
    "applied mathematics",
    "philosophy",
    "linguistics",
    "history",
    "electrical engineering",
    "agronomy",
    "oceanography",
]
HOBBIES = [
    "coaches a youth basketball team",
    "restores old motorcycles",
    "sings in a community choir",
    "runs marathons",
    "keeps bees",
    "plays chess competitively",
    "volunteers at a food bank",
    "writes short fiction",
    "builds wooden boats",
    "grows heritage tomatoes",
    "climbs on weekends",
    "translates crime novels",
]
PROJECTS = [
    "a new warehouse scheduling system",
    "the company's carbon-accounting tools",
    "supplier audits",
    "a redesign of the customer portal",
    "predictive maintenance models",
    "a migration to cloud infrastructure",
    "a packaging-reduction programme",
    "safety certification for new products",
    "pricing analytics",
    "an internal training academy",
    "a returns-processing overhaul",
    "export compliance",
]
MARKETS = [
    "the Nordic market",
    "South-East Asia",
    "the healthcare sector",
    "public procurement",
    "the North American market",
    "rail infrastructure",
    "offshore energy",
    "the hospitality sector",
    "East Africa",
    "the Gulf states",
]
FEATURES = [
    "battery life",
    "build quality",
    "low noise",
    "simple controls",
    "light weight",
    "repairable design",
    "energy efficiency",
    "compact size",
    "robust housing",
    "accurate sensors",
    "fast start-up",
    "long warranty",
]
RETAILER_END = ["Retail", "Distribution", "Trading", "Supply", "Wholesale", "Direct"]
GENRES_NOVEL = [
    "literary",
    "historical",
    "crime",
    "science-fiction",
    "coming-of-age",
    "epistolary",
    "satirical",
    "gothic",
]
OCCUPATIONS = [
    "ferry pilot",
    "archivist",
    "beekeeper",
    "cartographer",
    "night nurse",
    "piano tuner",
    "locksmith",
    "surveyor",
    "translator",
    "stonemason",
    "radio operator",
    "botanist",
    "sommelier",
    "hotel porter",
]
PLOTS = [
    "returns to {pos} childhood village after a flood",
    "inherits a failing lighthouse",
    "searches for a missing brother",
    "forges maps for smugglers",
    "takes over a night ferry",
    "investigates a theft from a provincial museum",
    "tries to save a bankrupt circus",
    "falls in love during a census",
    "keeps a diary through a long siege",
    "hides a stolen painting",
    "tracks a poisoned well to its source",
    "rebuilds {pos} family's vineyard",
]
FILM_GENRES = [
    "drama",
    "thriller",
    "comedy",
    "documentary",
    "war",
    "road",
    "period",
    "horror",
    "animated",
    "science-fiction",
]
BAND_GENRES = [
    "indie rock",
    "folk",
    "post-punk",
    "electronic",
    "jazz-funk",
    "shoegaze",
    "synth-pop",
    "bluegrass",
    "psychedelic",
    "math-rock",
    "afrobeat",
    "dream-pop",
    "garage rock",
    "chamber-pop",
]
ART_STYLES = [
    "large coastal landscapes",
    "austere interiors",
    "portraits of dock workers",
    "abstract colour fields",
    "night scenes of industrial towns",
    "botanical still lifes",
    "scenes of village life",
    "geometric abstraction",
]
MEDIA = [
    ("oil", "canvas"),
    ("tempera", "panel"),
    ("oil", "board"),
    ("watercolour", "paper"),
    ("gouache", "paper"),
    ("acrylic", "canvas"),
]
FIELDS_NAT = [
    "zoologist",
    "botanist",
    "entomologist",
    "ichthyologist",
    "ornithologist",
    "herpetologist",
    "malacologist",
    "naturalist",
]
HABITATS = [
    "cloud forests",
    "limestone caves",
    "coastal dunes",
    "alpine meadows",
    "peat bogs",
    "river gorges",
    "dry thorn scrub",
    "volcanic slopes",
    "lowland rainforest",
    "heathland",
]
WATER_HABITATS = [
    "coral reefs",
    "mangrove channels",
    "seagrass beds",
    "rocky shallows",
    "river estuaries",
    "tidal flats",
]
REGIONS = [
    "the Andaman Islands",
    "the Western Ghats",
    "the Atlas Mountains",
    "the Carpathians",
    "Patagonia",
    "the Gulf of Guinea",
    "the Banda Sea",
    "the Cape Floristic Region",
    "the Guiana Highlands",
    "the Caucasus",
    "the Azores",
    "Tasmania",
    "the Pyrenees",
    "the Rift Valley",
    "the Kuril Islands",
    "the Moluccas",
]
STATUS = ["Least Concern", "Near Threatened", "Vulnerable", "Endangered", "Data Deficient"]
VENUE_TYPES = [
    "concert hall",
    "open-air amphitheatre",
    "exhibition centre",
    "converted warehouse venue",
    "theatre",
    "arts centre",
    "indoor arena",
    "riverside pavilion",
]
FEST_TYPES = [
    "jazz",
    "folk music",
    "film",
    "literature",
    "electronic music",
    "street food",
    "puppetry",
    "choral music",
    "comedy",
    "poetry",
    "early music",
    "dance",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
BUILDING_TYPES = [
    "office tower",
    "public library",
    "railway station",
    "concert hall",
    "museum",
    "town hall",
    "covered market",
    "university library",
    "apartment block",
    "ferry terminal",
    "swimming hall",
]
ARCH_STYLES = [
    "brick modernism",
    "concrete shell roofs",
    "timber vernacular forms",
    "stripped classicism",
    "glass curtain walls",
    "organic forms",
    "low-cost housing",
]
SPORTS = [
    ("football", "footballer", ["goalkeeper", "centre-back", "left-back", "midfielder", "winger", "striker"]),
    ("rugby", "rugby player", ["fly-half", "scrum-half", "lock", "hooker", "winger", "full-back"]),
    ("basketball", "basketball player", ["point guard", "shooting guard", "small forward", "power forward", "centre"]),
]
IDEOLOGIES = [
    "centre-left",
    "centre-right",
    "green",
    "agrarian",
    "liberal",
    "social-democratic",
    "conservative",
    "regionalist",
    "libertarian",
    "Christian-democratic",
]
ISSUES = [
    "rural broadband",
    "pension reform",
    "coastal protection",
    "rent controls",
    "public transport",
    "farm subsidies",
    "tax simplification",
    "energy independence",
    "school funding",
    "healthcare waiting lists",
]
PARTY_ADJ = [
    "Progressive",
    "Liberal",
    "Social",
    "National",
    "Agrarian",
    "Civic",
    "Green",
    "Democratic",
    "Radical",
    "Federal",
    "Popular",
    "United",
    "Independent",
    "Reform",
    "Labour",
    "Conservative",
    "New",
    "Free",
    "Coastal",
    "Pirate",
    "Christian",
    "Republican",
    "Regional",
]
PARTY_NOUN = [
    "Reform",
    "Renewal",
    "Unity",
    "Future",
    "Citizens",
    "Workers",
    "Farmers",
    "Centre",
    "Union",
    "Heritage",
    "Solidarity",
    "Justice",
    "Progress",
    "Alliance",
    "Movement",
    "Forward",
]
INSTRUMENTS = [
    "cello",
    "oboe",
    "harpsichord",
    "double bass",
    "clarinet",
    "viola",
    "trumpet",
    "pedal steel guitar",
    "accordion",
    "bassoon",
    "harp",
    "mandolin",
    "sitar",
    "marimba",
    "flute",
    "organ",
    "saxophone",
    "trombone",
    "violin",
    "banjo",
    "oud",
    "bandoneon",
    "lute",
    "vibraphone",
    "kora",
    "tuba",
]
MUSIC_STYLES = [
    "film scores",
    "chamber music",
    "song cycles",
    "choral works",
    "minimalist piano pieces",
    "tango",
    "folk-song arrangements",
    "music for theatre",
]
FIELDS_UNI = [
    "marine biology",
    "engineering",
    "medicine",
    "agriculture",
    "law",
    "architecture",
    "music",
    "economics",
    "forestry",
    "veterinary science",
    "mining",
    "linguistics",
]
INDUSTRIES = [
    dict(
        ind="logistics software",
        act="develops route-planning software for freight carriers",
        pt=["handheld barcode scanner", "vehicle telematics unit"],
    ),
    dict(
        ind="industrial coatings",
        act="makes corrosion-resistant coatings for bridges and ships",
        pt=["anti-corrosion primer", "marine hull paint"],
    ),
    dict(
        ind="medical imaging",
        act="builds ultrasound and imaging equipment",
        pt=["portable ultrasound scanner", "digital X-ray detector"],
    ),
    dict(
        ind="agricultural technology",
        act="designs crop-spraying drones and field sensors",
        pt=["crop-spraying drone", "soil-moisture sensor"],
    ),
    dict(
        ind="battery recycling",
        act="recovers lithium and cobalt from used batteries",
        pt=["battery-sorting machine", "home battery pack"],
    ),
    dict(
        ind="coffee equipment",
        act="makes espresso machines and grinders for cafes",
        pt=["espresso machine", "burr grinder"],
    ),
    dict(
        ind="semiconductor testing",
        act="supplies test equipment to chip makers",
        pt=["wafer probe station", "chip test handler"],
    ),
    dict(
        ind="water treatment",
        act="builds filtration systems for municipal water plants",
        pt=["membrane filtration unit", "household water filter"],
    ),
    dict(
        ind="satellite imaging",
        act="operates a constellation of small imaging satellites",
        pt=["earth-observation satellite", "ground-station antenna"],
    ),
    dict(
        ind="veterinary diagnostics",
        act="develops blood tests for farm animals",
        pt=["portable blood analyser", "herd-health test kit"],
    ),
    dict(
        ind="solar energy",
        act="manufactures inverters for rooftop solar systems",
        pt=["solar inverter", "rooftop battery system"],
    ),
    dict(
        ind="payments",
        act="processes card payments for online retailers",
        pt=["card terminal", "contactless payment reader"],
    ),
    dict(
        ind="precision optics",
        act="grinds lenses for microscopes and telescopes",
        pt=["spotting scope", "laboratory microscope"],
    ),
    dict(
        ind="kitchen appliance",
        act="makes ovens, mixers and other kitchen appliances",
        pt=["stand mixer", "combination steam oven"],
    ),
    dict(
        ind="bicycle", act="produces city bikes and bicycle components", pt=["folding bicycle", "electric cargo bike"]
    ),
    dict(
        ind="hearing technology",
        act="designs hearing aids and audio implants",
        pt=["behind-the-ear hearing aid", "tinnitus masker"],
    ),
    dict(
        ind="timber construction",
        act="prefabricates timber frames for housing",
        pt=["modular timber cabin", "cross-laminated floor panel"],
    ),
    dict(
        ind="cybersecurity",
        act="sells network monitoring and intrusion-detection tools",
        pt=["network firewall appliance", "hardware security key"],
    ),
    dict(
        ind="consumer electronics", act="designs e-readers, tablets and accessories", pt=["e-reader", "drawing tablet"]
    ),
    dict(
        ind="marine engineering",
        act="builds engines for fishing boats and ferries",
        pt=["outboard motor", "marine diesel engine"],
    ),
    dict(ind="robotics", act="makes warehouse picking robots", pt=["warehouse picking robot", "robotic lawn mower"]),
    dict(
        ind="home audio",
        act="designs loudspeakers and amplifiers",
        pt=["bookshelf loudspeaker", "wireless headphone set"],
    ),
    dict(
        ind="outdoor equipment", act="makes tents, stoves and climbing gear", pt=["four-season tent", "camping stove"]
    ),
    dict(
        ind="power tools", act="manufactures cordless drills, saws and sanders", pt=["cordless drill", "orbital sander"]
    ),
    dict(ind="smart-home", act="develops thermostats and home sensors", pt=["smart thermostat", "video doorbell"]),
    dict(
        ind="medical devices",
        act="produces infusion pumps and patient monitors",
        pt=["infusion pump", "pulse oximeter"],
    ),
]
JOBS = [
    "a schoolteacher",
    "a union organiser",
    "a civil engineer",
    "a GP",
    "a lawyer",
    "a journalist",
    "a farmer",
    "an accountant",
    "a nurse",
    "a police officer",
    "a social worker",
    "a ship's engineer",
]

# ======================================================================================
# Entity constructors
# ======================================================================================
BRIDGE_TYPES = [
    "company",
    "author",
    "director",
    "band",
    "painter",
    "naturalist",
    "venue",
    "architect",
    "club",
    "party",
    "composer",
    "university",
]
ALL_BRIDGES = []


def add_bridge(e):
    ALL_BRIDGES.append(e)
    return e


# shared attribute pools (created lazily)
ART_SCHOOLS, INSTITUTIONS, MENTORS = [], [], []


def art_school():
    def gen():
        r = rng.random()
        if r < 0.25:
            return f"{coined()} Academy of Fine Arts"
        if r < 0.45:
            return f"{pick(SURN_PLAIN)} School of Art"
        if r < 0.62:
            return f"{pick(SURN_PLAIN)} College of Art & Design"
        if r < 0.8:
            return f"{coined()} Art Institute"
        return f"School of Visual Arts at {coined()}"

    return ent("school", unique(gen), art="the")


def institution():
    fields = [
        "Marine",
        "Tropical",
        "Alpine",
        "Freshwater",
        "Coastal",
        "Desert",
        "Island",
        "Forest",
        "Arctic",
        "Wetland",
        "Reef",
        "Highland",
        "Savanna",
        "Cave",
        "Estuarine",
    ]

    def gen():
        r = rng.random()
        if r < 0.3:
            return f"Institute of {pick(fields)} Studies"
        if r < 0.45:
            return f"{coined()} Institute of {pick(fields)} Research"
        if r < 0.62:
            return f"{coined()} Museum of Natural History"
        if r < 0.75:
            return f"{coined()} Botanical Garden"
        if r < 0.88:
            return f"{pick(SURN_PLAIN)} Zoological Station"
        return f"{coined()} Marine Laboratory"

    return ent("institution", unique(gen), art="the")


def shared(pool, maker, p_new, cap_=None):
    if not pool or chance(p_new) or (cap_ and len(pool) < cap_ and chance(0.5)):
        pool.append(maker())
    return pick(pool)


def make_company():
    ind = pick(INDUSTRIES)
    c = city()
    y = rng.randint(1890, 2016)
    e = ent(
        "company",
        unique(gen_company_name),
        ind=ind,
        city=c,
        year=y,
        founder=person(),
        ceo=person(),
        ceo_since=rng.randint(max(y + 3, 1996), 2023),
        staff=pick(["40", "120", "350", "800", "1,200", "2,500", "6,000", "14,000"]),
        rcity=city([c[0]]),
    )
    e["ans"] = dict(city=c[0], founder=e["founder"]["name"], year=str(y), ceo=e["ceo"]["name"])
    return e


def make_author():
    bp = city()
    g = pick("fm")
    e = person(g, born=bp)
    e.update(type="author", bp=bp, byear=rng.randint(1938, 1990), res=city([bp[0]]), genre=pick(GENRES_NOVEL))
    e["ans"] = dict(birthplace=bp[0])
    return e


def make_director():
    bc = city()
    e = person(born=bc)
    e.update(
        type="director",
        nat=bc[2],
        byear=rng.randint(1948, 1992),
        style=pick(
            [
                "long unbroken takes",
                "documentary-style realism",
                "dark comedy",
                "slow-burning family dramas",
                "stylised colour",
                "non-professional actors",
                "improvised dialogue",
            ]
        ),
    )
    e["ans"] = dict(nationality=bc[2])
    return e


def gen_band_name():
    r = rng.random()
    if r < 0.3:
        return f"{pick(ADJ)} {pick(PLURAL)}"
    if r < 0.5:
        return coined()
    if r < 0.65:
        return f"{pick(NOUN)} & the {pick(PLURAL)}"
    if r < 0.8:
        return f"{coined()} {pick(['Quartet', 'Collective', 'Orchestra', 'Union', 'Brigade', 'Society'])}"
    return f"{pick(NAT_A)} {pick(PLURAL)}"


def make_band():
    fc = city()
    fy = rng.randint(1975, 2014)
    e = ent(
        "band",
        unique(gen_band_name),
        fc=fc,
        fy=fy,
        base=city([fc[0]]),
        genre=pick(BAND_GENRES),
        m1=person(),
        m2=person(),
    )
    e["ans"] = dict(formed=fc[0])
    return e


def make_painter():
    e = person()
    e.update(
        type="painter",
        byear=rng.randint(1845, 1930),
        school=shared(ART_SCHOOLS, art_school, 0.55),
        style=pick(ART_STYLES),
    )
    e["dyear"] = min(e["byear"] + rng.randint(48, 92), 2019)
    e["school2"] = art_school() if chance(0.5) else None
    e["ans"] = dict(school=e["school"]["name"])
    return e


def make_naturalist():
    e = person()
    e.update(
        type="naturalist",
        byear=rng.randint(1800, 1925),
        inst=shared(INSTITUTIONS, institution, 0.6),
        field=pick(FIELDS_NAT),
        region=pick(REGIONS),
    )
    e["dyear"] = min(e["byear"] + rng.randint(45, 90), 2015)
    e["ans"] = dict(institution=e["inst"]["name"])
    return e


def gen_venue_name():
    r = rng.random()
    if r < 0.22:
        return f"{pick(SURN_PLAIN)} Hall", ""
    if r < 0.4:
        return f"{coined()} Arena", "the"
    if r < 0.55:
        return f"{coined()} Amphitheatre", "the"
    if r < 0.7:
        return f"{pick(SURN_PLAIN)} Pavilion", "the"
    if r < 0.85:
        return (
            f"Old {pick(['Corn', 'Wool', 'Coal', 'Grain', 'Cotton', 'Tobacco', 'Salt'])} Exchange at {coined()}",
            "the",
        )
    return f"{coined()} Playhouse", "the"


def make_venue():
    c = city()
    nm, art = None, ""
    while True:
        nm, art = gen_venue_name()
        if REG.ok(nm):
            REG.add(nm)
            break
    e = ent(
        "venue",
        nm,
        art=art,
        city=c,
        vtype=pick(VENUE_TYPES),
        opened=rng.randint(1880, 2014),
        capacity=pick(["900", "1,400", "2,200", "3,500", "6,000", "11,000"]),
        district=coined(),
    )
    e["ans"] = dict(city=c[0])
    return e


def make_architect():
    e = person()
    mentor = shared(MENTORS, lambda: person(), 0.75)
    e.update(type="architect", byear=rng.randint(1855, 1925), mentor=mentor, style=pick(ARCH_STYLES))
    e["dyear"] = min(e["byear"] + rng.randint(50, 90), 2016)
    e["ans"] = dict(mentor=mentor["name"])
    return e


def gen_club_name():
    c = coined()
    return pick(
        [
            f"{c} Rovers",
            f"FC {c}",
            f"{c} Athletic",
            f"Real {c}",
            f"{c} Wanderers",
            f"Sporting {c}",
            f"{c} United",
            f"{c} Harriers",
            f"{c} Rangers",
        ]
    )


def gen_stadium_name(sport):
    if sport == "basketball":
        return pick([f"{coined()} Arena", f"{pick(SURN_PLAIN)} Sports Hall", f"{coined()} Dome"]), ""
    r = rng.random()
    if r < 0.3:
        return f"{pick(SURN_PLAIN)} Park", ""
    if r < 0.5:
        return f"{coined()} Stadium", ""
    if r < 0.65:
        return f"{coined()} Road", ""
    if r < 0.8:
        return f"Estadio {coined()}", ""
    return f"{pick(SURN_PLAIN)} Memorial Ground", "the"


def make_club():
    sport = pick(SPORTS)
    while True:
        sn, sart = gen_stadium_name(sport[0])
        if REG.ok(sn):
            REG.add(sn)
            break
    st = ent("stadium", sn, art=sart)
    e = ent(
        "club",
        unique(gen_club_name),
        sport=sport,
        stadium=st,
        fy=rng.randint(1878, 1995),
        city=city(),
        since=None,
        manager=person(),
        nick=pick(PLURAL),
    )
    e["since"] = rng.randint(max(e["fy"], 1900), 2019)
    e["ans"] = dict(stadium=sn)
    return e


def gen_party_name():
    r = rng.random()
    if r < 0.55:
        return f"{pick(PARTY_ADJ)} {pick(PARTY_NOUN)} Party"
    if r < 0.7:
        return f"{pick(PARTY_ADJ)} {pick(['Alliance', 'League', 'Front', 'Union'])}"
    if r < 0.85:
        return f"Movement for {pick(['Renewal', 'Justice', 'Democracy', 'Change', 'Dignity', 'the Regions'])} and {pick(['Work', 'Land', 'Freedom', 'Progress', 'Unity'])}"
    return f"{pick(PARTY_ADJ)} {pick(PARTY_ADJ)} Party"


def make_party():
    fy = rng.randint(1920, 2014)
    e = ent(
        "party",
        unique(gen_party_name),
        art="the",
        leader=person(),
        since=rng.randint(max(fy + 2, 1990), 2023),
        fy=fy,
        founder=person(),
        ideo=pick(IDEOLOGIES),
        seats=rng.randint(3, 140),
        issue=pick(ISSUES),
    )
    e["ans"] = dict(leader=e["leader"]["name"])
    return e


def make_composer():
    e = person()
    e.update(type="composer", byear=rng.randint(1845, 1935), instr=pick(INSTRUMENTS), style=pick(MUSIC_STYLES))
    e["dyear"] = min(e["byear"] + rng.randint(45, 92), 2020)
    e["ans"] = dict(instrument=e["instr"])
    return e


def gen_university_name():
    c = coined()
    r = rng.random()
    if r < 0.3:
        return f"University of {c}", "the"
    if r < 0.5:
        return f"{pick(SURN_PLAIN)} University", ""
    if r < 0.62:
        return f"{c} Polytechnic", ""
    if r < 0.75:
        return f"{c} State University", ""
    if r < 0.87:
        return f"St. {pick(FIRST_M + FIRST_F)}'s College", ""
    return f"{c} Institute of Technology", "the"


def make_university():
    while True:
        nm, art = gen_university_name()
        if REG.ok(nm):
            REG.add(nm)
            break
    e = ent(
        "university",
        nm,
        art=art,
        year=rng.randint(1450, 1990),
        city=city(),
        field=pick(FIELDS_UNI),
        students=pick(["4,000", "9,500", "17,000", "26,000", "41,000"]),
    )
    e["ans"] = dict(year=str(e["year"]))
    return e


MAKE_BRIDGE = dict(
    company=make_company,
    author=make_author,
    director=make_director,
    band=make_band,
    painter=make_painter,
    naturalist=make_naturalist,
    venue=make_venue,
    architect=make_architect,
    club=make_club,
    party=make_party,
    composer=make_composer,
    university=make_university,
)


def new_bridge(btype):
    e = MAKE_BRIDGE[btype]()
    e["type"] = btype
    e["F"] = list(e["ans"].values())
    e["has_doc"] = True
    e["notable"] = None
    return add_bridge(e)


def pool(btype, exclude=None):
    return [b for b in ALL_BRIDGES if b["type"] == btype and b is not exclude]


# ---------------------------------------------------------------- subjects (hop-1)
def make_employee(b):
    e = person()
    e.update(
        type="employee",
        bridge=b,
        role=pick(ROLES),
        join=rng.randint(2004, 2023),
        subj=pick(STUDY),
        home=city([b["city"][0]]),
        byear=rng.randint(1962, 1998),
        project=pick(PROJECTS),
        hobby=pick(HOBBIES),
    )
    return e


def gen_product_name():
    model = pick(
        [
            "X-40",
            "S2",
            "Pro 7",
            "Mini",
            "Air 3",
            "One",
            "Max",
            "L-200",
            "Vario",
            "Neo 5",
            "T9",
            "GT",
            "Flex",
            "C-12",
            "Duo",
            "E5",
            "Plus",
            "Lite",
            "R-80",
            "Studio",
        ]
    )
    return f"{coined()} {model}"


def make_product(b):
    return ent(
        "product",
        unique(gen_product_name),
        art="the",
        bridge=b,
        ptype=pick(b["ind"]["pt"]),
        launch=rng.randint(2009, 2024),
    )


def make_novel(b):
    return ent(
        "novel",
        unique(gen_title),
        bridge=b,
        year=rng.randint(b["byear"] + 24, min(2024, b["byear"] + 70)),
        genre=pick(GENRES_NOVEL),
    )


def make_film(b):
    return ent(
        "film",
        unique(gen_title),
        bridge=b,
        year=rng.randint(b["byear"] + 24, min(2024, b["byear"] + 65)),
        genre=pick(FILM_GENRES),
    )


def make_album(b):
    return ent("album", unique(gen_title), bridge=b, year=rng.randint(b["fy"] + 1, 2024), n=rng.randint(1, 6))


def make_painting(b):
    return ent(
        "painting",
        unique(gen_painting_title),
        bridge=b,
        year=rng.randint(b["byear"] + 20, min(b["dyear"], b["byear"] + 70)),
        medium=pick(MEDIA),
    )


def make_species(b):
    an = pick(ANIMALS)

    def common():
        return f"{pick(COMMON_ADJ)} {an[0]}"

    return ent(
        "species",
        unique(gen_binomial),
        bridge=b,
        common=unique(common),
        taxon=an[1],
        year=rng.randint(b["byear"] + 24, min(b["dyear"], b["byear"] + 70)),
    )


def gen_festival_name():
    r = rng.random()
    ft = pick(FEST_TYPES)
    if r < 0.55:
        return f"{coined()} {ft.title()} Festival", ft
    if r < 0.7:
        suffix, ft = pick(
            [
                ("Jazz Weekend", "jazz"),
                ("Folk Gathering", "folk music"),
                ("Film Days", "film"),
                ("Book Fair", "literature"),
                ("Poetry Nights", "poetry"),
                ("Dance Days", "dance"),
            ]
        )
        return f"{pick(SURN_PLAIN)} {suffix}", ft
    if r < 0.85:
        return (
            f"{pick(['Midsummer', 'Harvest', 'Winter', 'Lantern', 'River', 'Equinox'])} {ft.title()} Festival of {coined()}",
            ft,
        )
    return f"{coined()} International {ft.title()} Festival", ft


def make_festival(b):
    while True:
        nm, ft = gen_festival_name()
        if REG.ok(nm):
            REG.add(nm)
            break
    return ent(
        "festival",
        nm,
        art="the",
        bridge=b,
        ftype=ft,
        month=pick(MONTHS),
        since=rng.randint(max(b["opened"], 1950), 2021),
    )


def gen_building_name(bt):
    r = rng.random()
    c = coined()
    if bt in ("office tower", "apartment block"):
        return pick([f"{pick(SURN_PLAIN)} Tower", f"{c} House", f"{pick(NAT_A)} {pick(NAT_B)} Tower"])
    if bt in ("public library", "university library"):
        return pick([f"{c} Library", f"{pick(SURN_PLAIN)} Memorial Library"])
    if bt == "railway station":
        return f"{c} Central Station"
    if bt == "ferry terminal":
        return f"{c} Ferry Terminal"
    if bt == "covered market":
        return f"{c} Market Hall"
    if bt == "town hall":
        return f"{c} Town Hall"
    if bt == "swimming hall":
        return f"{c} Baths"
    if bt == "museum":
        return pick([f"{c} Museum of Design", f"{pick(SURN_PLAIN)} Museum"])
    return pick([f"{c} Concert Hall", f"{pick(SURN_PLAIN)} Auditorium"])


def make_building(b):
    bt = pick(BUILDING_TYPES)
    nm = unique(lambda: gen_building_name(bt))
    return ent(
        "building",
        nm,
        art="the" if "Museum of Design" in nm else "",
        bridge=b,
        btype=bt,
        year=rng.randint(b["byear"] + 30, min(b["dyear"], b["byear"] + 78)),
        city=city(),
        floors=rng.randint(2, 34),
    )


def make_athlete(b):
    e = person()
    e.update(
        type="athlete",
        bridge=b,
        sport=b["sport"],
        position=pick(b["sport"][2]),
        joined=rng.randint(2012, 2024),
        caps=rng.randint(0, 60),
    )
    return e


def make_politician(b):
    e = person()
    e.update(
        type="politician",
        bridge=b,
        elected=rng.randint(max(b["fy"] + 1, 1994), 2022),
        job=pick(JOBS),
        constituency=coined(),
        topic=pick(ISSUES),
    )
    return e


def make_song(b):
    return ent("song", unique(gen_title), bridge=b, year=rng.randint(b["byear"] + 20, min(b["dyear"], b["byear"] + 60)))


def make_alumnus(b):
    e = person()
    e.update(
        type="alumnus",
        bridge=b,
        subj=pick(STUDY),
        gy=rng.randint(max(b["year"] + 5, 1965), 2022),
        home=city(),
        role=pick(ROLES),
    )
    return e


MAKE_SUBJ = dict(
    employee=make_employee,
    product=make_product,
    novel=make_novel,
    film=make_film,
    album=make_album,
    painting=make_painting,
    species=make_species,
    festival=make_festival,
    building=make_building,
    athlete=make_athlete,
    politician=make_politician,
    song=make_song,
    alumnus=make_alumnus,
)
SUBJ_OF = dict(
    company=["employee", "product"],
    author=["novel"],
    director=["film"],
    band=["album"],
    painter=["painting"],
    naturalist=["species"],
    venue=["festival"],
    architect=["building"],
    club=["athlete"],
    party=["politician"],
    composer=["song"],
    university=["alumnus"],
)
NOTABLE_OF = dict(
    company="product",
    author="novel",
    director="film",
    band="album",
    painter="painting",
    naturalist="species",
    venue="festival",
    architect="building",
    club="athlete",
    party="politician",
    composer="song",
    university="alumnus",
)

# ======================================================================================
# Document builders.  Each returns (title, content).
# ======================================================================================


COMPOSE_N = [0]


def compose(lead, facts, extras, prefer=(), p_prefer=0.8, lo=2, hi=6):
    body = list(facts)
    rng.shuffle(body)
    chosen = []
    groups = [[x for x in (g if isinstance(g, list) else [g]) if x] for g in prefer]
    groups = [g for g in groups if g]
    extras = [s for s in extras if s]
    if groups and chance(p_prefer):
        g = pick(groups)
        chosen.append(pick(g))
        groups = [h for h in groups if h is not g]
    rest = extras + [pick(g) for g in groups]
    fixed = len(lead) + len(body) + len(chosen)
    lo_k = max(0, lo - fixed)
    hi_k = max(lo_k, min(hi - fixed, len(rest)))
    k = rng.randint(lo_k, hi_k)
    chosen += rng.sample(rest, min(k, len(rest)))
    for s in chosen:
        body.insert(rng.randint(0, len(body)), s)
    COMPOSE_N[0] = len(lead) + len(body)
    return " ".join(cap(s) for s in list(lead) + body)


def other_company(exclude):
    if chance(0.3):
        return ent("company", unique(gen_company_name))
    return pick(pool("company", exclude))


def fresh_org(kind):
    c = coined()
    return unique(
        lambda: (
            pick(
                {
                    "publisher": [
                        f"{coined()} Press",
                        f"{pick(SURN_PLAIN)} & {pick(SURN_PLAIN)} Publishers",
                        f"{coined()} Books",
                    ],
                    "studio": [f"{coined()} Pictures", f"{coined()} Film", f"{pick(SURN_PLAIN)} Productions"],
                    "rec": [f"{coined()} Studios", f"{pick(SURN_PLAIN)} Sound", f"{coined()} Recording Rooms"],
                    "label": [f"{coined()} Records", f"{pick(NAT_A)} {pick(NAT_B)} Records"],
                    "museum": [
                        f"{coined()} Art Museum",
                        f"{pick(SURN_PLAIN)} Gallery",
                        f"Museum of Fine Arts {coined()}",
                    ],
                    "retailer": [f"{coined()} {pick(RETAILER_END)}", f"{pick(SURN_PLAIN)} {pick(RETAILER_END)}"],
                    "org": [
                        f"{coined()} Cultural Foundation",
                        f"{pick(SURN_PLAIN)} Arts Trust",
                        f"{coined()} Heritage Society",
                    ],
                    "prize": [f"{pick(SURN_PLAIN)} Prize", f"{coined()} Award", f"{pick(SURN_PLAIN)} Medal"],
                    "contractor": [f"{coined()} Construction", f"{pick(SURN_PLAIN)} Builders"],
                    "journal": [f"Journal of {coined()} Natural History", f"{coined()} Zoological Bulletin"],
                    "ensemble": [
                        f"{coined()} Chamber Orchestra",
                        f"{coined()} Ensemble",
                        f"{pick(SURN_PLAIN)} String Players",
                    ],
                    "school": [f"{coined()} Film School", f"{coined()} Conservatory"],
                    "pollster": [f"{coined()} Research", f"{pick(SURN_PLAIN)} Polling"],
                }[kind]
            )
            + ("" if c else "")
        )
    )


# ------------------------------------------------------------------------------ company
def doc_company(e):
    co, (cty, ctry, _), f, y = e["name"], e["city"], e["founder"]["name"], e["year"]
    ceo, since, ind, act = e["ceo"]["name"], e["ceo_since"], e["ind"]["ind"], e["ind"]["act"]
    lead = pick(
        [
            f"{co} is {a(ind)} company headquartered in {cty}, {ctry}.",
            f"{co} is {a(ind)} firm based in {cty}.",
            f"Headquartered in {cty}, {co} {act}.",
            f"{co} {act} from its head office in {cty}.",
            f"{co} was founded in {y} by {f}.",
            f"{co} is {a(ind)} business established by {f} in {y}.",
            f"{co} {act}.",
            f"Founded by {f} in {y}, {co} is one of the better-known names in {ind}.",
        ]
    )
    facts = []
    if cty not in lead:
        facts.append(
            pick(
                [
                    f"It has its headquarters in {cty}.",
                    f"The firm's head office is in {cty}, {ctry}.",
                    f"The company is based in {cty}.",
                    f"Its main offices are located in {cty}.",
                    f"The company's head office stands in the centre of {cty}.",
                ]
            )
        )
    if f not in lead:
        facts.append(
            pick(
                [
                    f"The company was founded by {f} in {y}.",
                    f"It was established in {y} by {f}.",
                    f"{f} started the business in {y}.",
                    f"It traces its origins to {y}, when {f} set up the business in a rented workshop.",
                    f"Its founder, {f}, registered the firm in {y}.",
                ]
            )
        )
    facts.append(
        pick(
            [
                f"Since {since}, the company has been run by chief executive {ceo}.",
                f"{ceo} is its current chief executive.",
                f"The firm is led by {ceo}, who became CEO in {since}.",
                f"Its chief executive officer is {ceo}.",
                f"{ceo} took over as CEO in {since}.",
            ]
        )
    )
    nt = e.get("notable")
    extras = [
        f"{co} employs about {e['staff']} people.",
        f"Its best-known product is {ref(nt)}." if nt else None,
        f"It also runs a regional sales office in {e['rcity'][0]}.",
        f"The firm is privately held." if chance(0.5) else f"Its shares are listed on the stock exchange.",
        f"In recent years it has expanded into {pick(MARKETS)}.",
    ]
    return co, compose([lead], facts, extras, lo=3, hi=6)


def doc_employee(s):
    p, b, nm = pro(s), s["bridge"], s["name"]
    c, role, join, home = ref(s["bridge"]), s["role"], s["join"], s["home"][0]
    prior = other_company(b)
    mode = rng.random()
    if mode < 0.55:
        lead = [
            pick(
                [
                    f"{nm} is {a(role)} at {c}.",
                    f"{nm} works as {a(role)} for {c}.",
                    f"{nm} has worked at {c} since {join}, where {p['sub']} is {a(role)}.",
                    f"{nm} is currently employed by {c} as {a(role)}.",
                    f"At {c}, {nm} holds the position of {role}.",
                ]
            )
        ]
    else:
        lead = [
            pick(
                [
                    f"{nm} grew up in {home} and trained in {s['subj']}.",
                    f"{nm} has a background in {s['subj']}.",
                    f"Born in {s['byear']}, {nm} spent several years in consulting before moving into industry.",
                ]
            ),
            pick(
                [
                    f"{p['Sub']} now works as {a(role)} at {c}.",
                    f"Since {join}, {p['sub']} has been employed by {c} as {a(role)}.",
                    f"{p['Sub']} joined {c} in {join} and works there as {a(role)}.",
                    f"These days {p['sub']} is {a(role)} with {c}.",
                ]
            ),
        ]
    extras = [
        f"{p['Sub']} leads a small team working on {s['project']}.",
        f"Outside work, {p['sub']} {s['hobby']}.",
        f"{p['Sub']} studied {s['subj']} at university." if "trained in" not in lead[0] else None,
        f"{p['Sub']} has spoken at industry conferences about {pick([x for x in PROJECTS if x != s['project']])}.",
    ]
    prefer = [
        [
            f"Before joining {c}, {p['sub']} spent {pick(NUMWORD[:6])} years at {ref(prior)}.",
            f"{p['Pos']} previous employer was {ref(prior)}, where {p['sub']} worked on {pick(PROJECTS)}.",
        ],
        [
            f"{p['Sub']} was born and raised in {home}." if home not in lead[0] else None,
            f"{p['Sub']} lives in {city([b['city'][0], home])[0]} with {p['pos']} family.",
        ],
    ]
    return nm, compose(lead, [], extras, prefer)


def doc_product(s):
    b, pn, pt, L = s["bridge"], s["name"], s["ptype"], s["launch"]
    c = ref(b)
    lead = pick(
        [
            [f"The {pn} is {a(pt)} made by {c}."],
            [
                f"{c} manufactures the {pn}, {a(pt)} aimed at {pick(['professional users', 'small businesses', 'home users', 'hospitals', 'farmers', 'contractors'])}."
            ],
            [f"Developed by {c}, the {pn} is {a(pt)} first released in {L}."],
            [f"The {pn} is {a(pt)} from {c}."],
            [f"The {pn} is {a(pt)} that went on sale in {L}.", f"It is produced by {c}."],
            [f"The {pn} is {a(pt)}.", f"It was designed and is manufactured by {c}."],
        ]
    )
    rival = unique(gen_product_name)
    extras = [
        f"It went on sale in {L}." if str(L) not in " ".join(lead) else None,
        f"Reviewers praised its {pick(FEATURES)}.",
        f"A revised model added improved {pick(FEATURES)} in {rng.randint(L, 2025)}.",
        f"It retails for around {rng.randint(2, 90) * 10} euros.",
    ]
    prefer = [
        [
            f"It is distributed in {city()[0]} by {fresh_org('retailer')}.",
            f"Units are assembled under contract at a factory in {city([b['city'][0]])[0]}.",
        ],
        f"It competes directly with the {rival}, made by {ref(other_company(b))}.",
    ]
    return pn, compose(lead, [], extras, prefer)


# ------------------------------------------------------------------------------- author
def doc_author(e):
    p, nm, (bp, _, nat), by = pro(e), e["name"], e["bp"], e["byear"]
    mode = rng.random()
    if mode < 0.6:
        lead = [
            pick(
                [
                    f"{nm} is {a(nat)} novelist born in {bp} in {by}.",
                    f"{nm} (born {by}) is {a(nat)} novelist and essayist from {bp}.",
                    f"Born in {bp} in {by}, {nm} is a writer of {e['genre']} fiction.",
                    f"A native of {bp}, {nm} has published {pick(NUMWORD[1:8])} novels.",
                    f"{nm} is a novelist whose birthplace is {bp}.",
                ]
            )
        ]
    else:
        lead = [
            pick([f"{nm} is {a(nat)} writer of {e['genre']} fiction.", f"{nm} is a novelist and short-story writer."]),
            pick(
                [
                    f"{p['Sub']} was born in {bp} in {by}.",
                    f"{p['Sub']} was born and raised in {bp}.",
                    f"{p['Sub']} was born in {bp} and studied there before moving abroad.",
                ]
            ),
        ]
    nt = e.get("notable")
    uni = pick(pool("university"))
    extras = [
        f"{p['Pos']} best-known book is {nt['name']}." if nt else None,
        f"{p['Sub']} studied {pick(STUDY)} at {ref(uni)} before turning to fiction.",
        f"{p['Pos']} work has been translated into {pick(NUMWORD[3:])} languages.",
        f"{p['Sub']} received the {fresh_org('prize')} in {rng.randint(by + 30, 2024)}.",
    ]
    prefer = [f"{p['Sub']} now lives in {e['res'][0]}."]
    return nm, compose(lead, [], extras, prefer, p_prefer=0.5)


def doc_novel(s):
    b, t, y = s["bridge"], s["name"], s["year"]
    au = b["name"]
    lead = [
        pick(
            [
                f"{t} is a {y} novel by {au}.",
                f"{t} is {a(s['genre'])} novel written by {au} and first published in {y}.",
                f"{au}'s novel {t} was published in {y}.",
                f"Published in {y}, {t} is the {ordinal(rng.randint(1, 5))} novel by {au}.",
                f"{t} is a novel by the writer {au}.",
            ]
        )
    ]
    g = pick("fm")
    char = pick(FIRST_F if g == "f" else FIRST_M)
    plot = pick(PLOTS).format(pos="her" if g == "f" else "his")
    excl = [b["bp"][0]]
    extras = [
        f"It follows {char}, {a(pick(OCCUPATIONS))} who {plot}.",
        f"It won the {fresh_org('prize')} the following year.",
        f"A television adaptation was announced in {rng.randint(y + 1, 2026)}.",
        f"Critics singled out its {pick(['unreliable narrator', 'spare prose', 'structure', 'dialogue', 'dark humour'])}.",
    ]
    prefer = [
        f"The story is set in {city(excl)[0]}.",
        [
            f"The book was published by {fresh_org('publisher')} in {city(excl)[0]}.",
            f"The book was first issued by {fresh_org('publisher')}.",
        ],
    ]
    return t, compose(lead, [], extras, prefer)


# ----------------------------------------------------------------------------- director
def doc_director(e):
    p, nm, nat, by, (bc, _, _) = pro(e), e["name"], e["nat"], e["byear"], e["born"]
    mode = rng.random()
    if mode < 0.6:
        lead = [
            pick(
                [
                    f"{nm} is {a(nat)} film director and screenwriter.",
                    f"{nm} (born {by}) is {a(nat)} filmmaker.",
                    f"{nm} is {a(nat)} director born in {bc} in {by}.",
                    f"Born in {bc}, {nm} is {a(nat)} director known for {e['style']}.",
                ]
            )
        ]
    else:
        lead = [
            pick([f"{nm} is a film director known for {e['style']}.", f"{nm} is a screenwriter and director."]),
            pick(
                [
                    f"{p['Sub']} holds {nat} citizenship.",
                    f"{p['Sub']} is {nat} by nationality.",
                    f"{p['Sub']} is {a(nat)} national, born in {bc} in {by}.",
                ]
            ),
        ]
    nt = e.get("notable")
    extras = [
        f"{p['Sub']} began {p['pos']} career directing {pick(['music videos', 'commercials', 'short documentaries', 'television episodes'])}.",
        f"{p['Pos']} breakthrough feature was {nt['name']}." if nt else None,
        f"{p['Sub']} studied at the {fresh_org('school')}.",
        f"{p['Pos']} films have screened at festivals in {city()[0]} and {city()[0]}.",
    ]
    return nm, compose(lead, [], extras, lo=2, hi=5)


def doc_film(s):
    b, t, y, gnr = s["bridge"], s["name"], s["year"], s["genre"]
    dr = b["name"]
    lead = [
        pick(
            [
                f"{t} is a {y} {gnr} film directed by {dr}.",
                f"Directed by {dr}, {t} is a {gnr} film released in {y}.",
                f"{dr} directed {t}, a {gnr} feature from {y}.",
                f"{t} ({y}) is a {gnr} feature from director {dr}.",
            ]
        )
    ]
    ctry = b["born"][1]
    loc = pick([c for c in CITIES if c[1] != ctry])
    onat = pick([c[2] for c in CITIES if c[2] != b["nat"]])
    extras = [
        f"It stars {person()['name']} and {person()['name']}.",
        f"It runs for {rng.randint(78, 165)} minutes.",
        f"The score was written by {person()['name']}.",
    ]
    prefer = [
        f"The film was shot on location in {loc[0]}.",
        f"It was produced by {fresh_org('studio')} with backing from {a(onat)} broadcaster.",
        f"It premiered in {city()[0]} in {pick(MONTHS)} {y}.",
    ]
    return t, compose(lead, [], extras, prefer)


# --------------------------------------------------------------------------------- band
def doc_band(e):
    bd, (fc, _, _), fy, gnr = e["name"], e["fc"], e["fy"], e["genre"]
    mode = rng.random()
    if mode < 0.6:
        lead = [
            pick(
                [
                    f"{bd} is {a(gnr)} band formed in {fc} in {fy}.",
                    f"Formed in {fc} in {fy}, {bd} is {a(gnr)} group.",
                    f"{bd} are {a(gnr)} band that came together in {fc} in {fy}.",
                    f"{bd} is {a(gnr)} act that started out in {fc} in {fy}.",
                ]
            )
        ]
    else:
        lead = [
            pick([f"{bd} is {a(gnr)} band led by singer {e['m1']['name']}.", f"{bd} is {a(gnr)} group."]),
            pick(
                [
                    f"The group formed in {fc} in {fy}.",
                    f"They came together in {fc} in {fy}.",
                    f"The band was founded in {fc} in {fy}.",
                ]
            ),
        ]
    nt = e.get("notable")
    extras = [
        f"The line-up also includes {e['m2']['name']}.",
        f"Their breakthrough came with the album {nt['name']}." if nt else None,
        f"They have toured widely across {pick(['Europe', 'North America', 'Japan', 'South America', 'Australia'])}.",
        f"They record for {fresh_org('label')}.",
    ]
    prefer = [f"The band is now based in {e['base'][0]}."]
    return bd, compose(lead, [], extras, prefer, p_prefer=0.5)


def doc_album(s):
    b, t, y = s["bridge"], s["name"], s["year"]
    bd = b["name"]
    lead = [
        pick(
            [
                f"{t} is the {ordinal(s['n'])} studio album by {bd}.",
                f"{t} is an album by {bd}, released in {y}.",
                f"{bd} released {t} in {y}.",
                f"Released in {y}, {t} is {a(b['genre'])} album by {bd}.",
                f"{t} is a record by the {b['genre']} band {bd}.",
            ]
        )
    ]
    excl = [b["fc"][0]]
    single = unique(gen_title)
    extras = [
        f"The record was produced by {person()['name']}.",
        f"Its lead single, {single}, became a radio hit.",
        f"Critics compared it favourably with the band's earlier work.",
        f"It was released in {y} to mixed reviews." if str(y) not in " ".join(lead) else None,
    ]
    prefer = [
        [f"It was recorded at {fresh_org('rec')} in {city(excl)[0]}.", f"It was issued on {fresh_org('label')}."],
        f"The band launched it with a concert in {city(excl)[0]}.",
    ]
    return t, compose(lead, [], extras, prefer)


# ------------------------------------------------------------------------------ painter
def doc_painter(e):
    p, nm, sc = pro(e), e["name"], ref(e["school"])
    by, dy, bc = e["byear"], e["dyear"], e["born"]
    mode = rng.random()
    if mode < 0.5:
        lead = [
            pick(
                [
                    f"{nm} ({by}–{dy}) was {a(bc[2])} painter who studied at {sc}.",
                    f"{nm} was a painter who trained at {sc}.",
                    f"A graduate of {sc}, {nm} was known for {e['style']}.",
                ]
            )
        ]
    else:
        lead = [
            pick(
                [
                    f"{nm} ({by}–{dy}) was {a(bc[2])} painter known for {e['style']}.",
                    f"{nm} was a painter of {e['style']}.",
                ]
            ),
            pick(
                [
                    f"{p['Sub']} studied at {sc}.",
                    f"{p['Sub']} trained at {sc} in the {(by + 18) // 10 * 10}s.",
                    f"{p['Sub']} enrolled at {sc} at the age of {rng.randint(16, 22)}.",
                ]
            ),
        ]
    nt = e.get("notable")
    extras = [
        f"{p['Sub']} was born in {bc[0]} in {by}." if str(by) not in lead[0] else None,
        f"{p['Pos']} best-known canvas is {nt['name']}." if nt else None,
        f"{p['Pos']} work is held in several public collections.",
        f"{p['Sub']} exhibited regularly in {city()[0]}.",
    ]
    prefer = [f"Later in life {p['sub']} taught drawing at {ref(e['school2'])}." if e["school2"] else None]
    return nm, compose(lead, [], extras, prefer, p_prefer=0.7)


def doc_painting(s):
    b, t, y, (med, sup) = s["bridge"], s["name"], s["year"], s["medium"]
    pt = b["name"]
    lead = [
        pick(
            [
                f"{t} is {a(med)} painting by {pt}, completed in {y}.",
                f"{pt} painted {t} in {y}.",
                f"{t} is a work by {pt}, painted in {med} on {sup}.",
                f"{t} is {a(med)} on {sup} by the painter {pt}.",
            ]
        )
    ]
    extras = [
        f"The picture shows {pick(['a harbour at low tide', 'two women at a kitchen table', 'a row of poplars', 'a crowded railway platform', 'a fishing fleet in fog', 'an empty studio', 'a village wedding'])}.",
        f"It was sold at auction in {rng.randint(y + 10, 2023)}.",
        f"The work was restored in {rng.randint(y + 10, 2023)}.",
        f"It measures {rng.randint(30, 220)} by {rng.randint(30, 220)} centimetres.",
    ]
    prefer = [
        [f"It hangs in the {fresh_org('museum')} in {city()[0]}.", f"It belongs to the {fresh_org('museum')}."],
        f"It was first exhibited in {city()[0]} in {y}." if str(y) not in lead[0] else None,
    ]
    return t, compose(lead, [], extras, prefer)


# --------------------------------------------------------------------------- naturalist
def doc_naturalist(e):
    p, nm, inst, f = pro(e), e["name"], ref(e["inst"]), e["field"]
    by, dy = e["byear"], e["dyear"]
    mode = rng.random()
    if mode < 0.5:
        lead = [
            pick(
                [
                    f"{nm} ({by}–{dy}) was {a(f)} who worked at {inst}.",
                    f"{nm} was {a(e['born'][2])} {f} based at {inst}.",
                    f"{nm} was {a(f)} on the staff of {inst}.",
                ]
            )
        ]
    else:
        lead = [
            pick(
                [
                    f"{nm} ({by}–{dy}) was {a(f)} known for fieldwork in {e['region']}.",
                    f"{nm} was {a(e['born'][2])} {f}.",
                ]
            ),
            pick(
                [
                    f"{p['Sub']} spent most of {p['pos']} career at {inst}.",
                    f"{p['Sub']} held a curatorial post at {inst}.",
                    f"{p['Sub']} worked for many years at {inst}.",
                ]
            ),
        ]
    nt = e.get("notable")
    extras = [
        f"{p['Sub']} led collecting expeditions to {e['region']}." if e["region"] not in lead[0] else None,
        f"{p['Pos']} descriptions include {nt['name']}." if nt else None,
        f"{p['Sub']} was born in {e['born'][0]}.",
        f"{p['Sub']} published more than {rng.randint(3, 20) * 10} papers.",
    ]
    return nm, compose(lead, [], extras, lo=2, hi=5)


def doc_species(s):
    b, bn, cm, tx, y = s["bridge"], s["name"], s["common"], s["taxon"], s["year"]
    nt = b["name"]
    reg = pick(REGIONS)
    lead = [
        pick(
            [
                f"{bn}, commonly known as the {cm}, is a species of {tx} first described by {nt} in {y}.",
                f"The {cm} ({bn}) is a {tx} described by {nt} in {y}.",
                f"{nt} described {bn} in {y} from specimens collected in {reg}.",
                f"{bn} is a {tx} named by {nt} in {y}.",
            ]
        )
    ]
    other_inst = shared(INSTITUTIONS, institution, 0.2)
    hab = pick(WATER_HABITATS if tx in ("fish", "crab") else HABITATS)
    extras = [
        f"It is found in {hab} of {reg}." if reg not in lead[0] else f"It is found in {hab}.",
        f"Adults reach about {rng.randint(2, 40)} centimetres in length."
        if tx not in ("orchid", "sedge", "fern", "lichen")
        else f"It flowers in {pick(MONTHS)}.",
        f"Its conservation status is {pick(STATUS)}.",
        f"Its common name is the {cm}." if cm not in lead[0] else None,
    ]
    prefer = [
        f"The type specimen is held at {ref(other_inst)}.",
        f"A second population was reported near {city()[0]} in {rng.randint(y + 5, 2023)}.",
    ]
    return bn, compose(lead, [], extras, prefer)


# -------------------------------------------------------------------------------- venue
def doc_venue(e):
    vn, Vn, (cty, ctry, _), vt = e["name"], Ref(e), e["city"], e["vtype"]
    lead = [
        pick(
            [
                f"{Vn} is {a(vt)} in {cty}.",
                f"Located in {cty}, {ref(e)} is {a(vt)} with room for {e['capacity']} people.",
                f"{Vn} is {a(vt)} that opened in {e['opened']} in the {e['district']} district of {cty}.",
                f"{Vn} is {a(vt)} in {cty}, {ctry}.",
            ]
        )
    ]
    nt = e.get("notable")
    extras = [
        f"It was renovated in {rng.randint(e['opened'] + 10, 2024)}.",
        f"It is operated by {fresh_org('org')}.",
        f"It seats {e['capacity']}." if e["capacity"] not in lead[0] else None,
        f"Every year it hosts {ref(nt)}." if nt else None,
        f"Besides concerts it is used for {pick(['trade fairs', 'graduation ceremonies', 'boxing nights', 'conferences'])}.",
    ]
    return vn, compose(lead, [], extras, lo=2, hi=5)


def doc_festival(s):
    b, fs, Fs, ft = s["bridge"], ref(s), Ref(s), s["ftype"]
    vn = ref(b)
    lead = [
        pick(
            [
                f"{Fs} is an annual {ft} festival held at {vn}.",
                f"{Fs} takes place every {s['month']} at {vn}.",
                f"Since {s['since']}, {vn} has hosted {fs}.",
                f"{Fs} is {a(ft)} festival staged each {s['month']} at {vn}.",
            ]
        )
    ]
    excl = [b["city"][0]]
    sponsor = other_company(None)
    extras = [
        f"It draws around {pick(['8,000', '15,000', '30,000', '60,000'])} visitors.",
        f"Tickets usually sell out within {pick(NUMWORD[:5])} days.",
        f"It was founded in {s['since']} by {fresh_org('org')}." if str(s["since"]) not in lead[0] else None,
    ]
    prefer = [
        f"Performers have included groups from {city(excl)[0]} and {city(excl)[0]}.",
        f"The festival is sponsored by {ref(sponsor)}.",
        f"Many of its visitors travel from {city(excl)[0]}.",
    ]
    return s["name"], compose(lead, [], extras, prefer)


# ---------------------------------------------------------------------------- architect
def doc_architect(e):
    p, nm, mt = pro(e), e["name"], e["mentor"]["name"]
    by, dy = e["byear"], e["dyear"]
    mode = rng.random()
    if mode < 0.5:
        lead = [
            pick(
                [
                    f"{nm} ({by}–{dy}) was {a(e['born'][2])} architect who trained under {mt}.",
                    f"{nm} was an architect who apprenticed with {mt}.",
                    f"{nm} was an architect who began {p['pos']} career in the studio of {mt}.",
                ]
            )
        ]
    else:
        lead = [
            pick(
                [f"{nm} ({by}–{dy}) was an architect known for {e['style']}.", f"{nm} was {a(e['born'][2])} architect."]
            ),
            pick(
                [
                    f"{p['Sub']} trained under {mt}.",
                    f"As a young architect {p['sub']} worked for {mt}, who became {p['pos']} mentor.",
                    f"{p['Sub']} learned the profession in the office of {mt}.",
                ]
            ),
        ]
    nt = e.get("notable")
    uni = pick(pool("university"))
    extras = [
        f"{p['Sub']} was born in {e['born'][0]}.",
        f"{p['Pos']} best-known building is {ref(nt)}." if nt else None,
        f"{p['Sub']} studied at {ref(uni)}.",
        f"{p['Pos']} practice was based in {city()[0]}.",
    ]
    return nm, compose(lead, [], extras, lo=2, hi=5)


def doc_building(s):
    b, bd, Bd, bt, y, cty = s["bridge"], ref(s), Ref(s), s["btype"], s["year"], s["city"][0]
    ar = b["name"]
    lead = pick(
        [
            [f"{Bd} is {a(bt)} in {cty} designed by {ar}."],
            [f"Designed by {ar}, {bd} is {a(bt)} completed in {y}."],
            [f"{ar} was the architect of {bd}, {a(bt)} in {cty}."],
            [f"{Bd} is {a(bt)} that opened in {y}.", f"It was designed by {ar}."],
        ]
    )
    extras = [
        f"The building has {s['floors']} floors."
        if bt in ("office tower", "apartment block")
        else f"It is built of {pick(['brick', 'reinforced concrete', 'limestone', 'steel and glass', 'timber'])}.",
        f"It was listed as a protected monument in {rng.randint(y + 20, 2022)}.",
        f"It stands in {cty}." if cty not in " ".join(lead) else None,
    ]
    prefer = [
        f"It was commissioned by {ref(other_company(None))}.",
        f"It replaced an earlier structure by the architect {person()['name']}.",
        f"Construction was carried out by {fresh_org('contractor')}.",
    ]
    return s["name"], compose(lead, [], extras, prefer)


# --------------------------------------------------------------------------------- club
def doc_club(e):
    cl, st, sport = e["name"], ref(e["stadium"]), e["sport"][0]
    lead = [
        pick(
            [
                f"{cl} is a professional {sport} club that plays its home matches at {st}.",
                f"{cl} is {a(sport)} club based in {e['city'][0]}.",
                f"{cl} is {a(sport)} club founded in {e['fy']}.",
            ]
        )
    ]
    facts = []
    if st not in lead[0]:
        facts.append(
            pick(
                [
                    f"Its home ground is {st}.",
                    f"The club plays at {st}.",
                    f"{cap(st)} has been its home since {e['since']}.",
                    f"Home games are played at {st}.",
                ]
            )
        )
    nt = e.get("notable")
    extras = [
        f"It was founded in {e['fy']}." if str(e["fy"]) not in lead[0] else None,
        f"The team is coached by {e['manager']['name']}.",
        f"Its captain is {nt['name']}." if nt else None,
        f"Supporters call the team the {e['nick']}.",
        f"The club is based in {e['city'][0]}." if e["city"][0] not in lead[0] else None,
    ]
    return cl, compose(lead, facts, extras, lo=2, hi=5)


def doc_athlete(s):
    p, b, nm = pro(s), s["bridge"], s["name"]
    cl, (sport, player, _), pos = b["name"], s["sport"], s["position"]
    nat = s["born"][2]
    lead = [
        pick(
            [
                f"{nm} is {a(nat)} {player} who plays as {a(pos)} for {cl}.",
                f"{nm} plays {sport} for {cl}.",
                f"{nm} signed for {cl} in {s['joined']} and has played there since.",
                f"{nm} is {a(pos)} at {cl}.",
            ]
        )
    ]
    former = pick(pool("club", b))
    extras = [
        f"{p['Sub']} has {s['caps']} caps for {p['pos']} national team."
        if s["caps"]
        else f"{p['Sub']} has yet to play for {p['pos']} national team.",
        f"{p['Sub']} was named player of the season in {rng.randint(2012, 2024)}.",
        f"{p['Sub']} plays as {a(pos)}." if pos not in lead[0] else None,
    ]
    prefer = [
        [
            f"{p['Sub']} previously played for {former['name']}.",
            f"{p['Sub']} came through the youth academy of {former['name']}.",
        ],
        f"{p['Sub']} was born in {s['born'][0]}.",
    ]
    return nm, compose(lead, [], extras, prefer)


# -------------------------------------------------------------------------------- party
def doc_party(e):
    Pt, pt, ld = Ref(e), ref(e), e["leader"]["name"]
    lead = [
        pick(
            [
                f"{Pt} is {a(e['ideo'])} political party led by {ld}.",
                f"{Pt} is {a(e['ideo'])} party founded in {e['fy']}.",
                f"{Pt} is {a(e['ideo'])} political party.",
            ]
        )
    ]
    facts = []
    if ld not in lead[0]:
        facts.append(
            pick(
                [
                    f"Its current leader is {ld}, who took over in {e['since']}.",
                    f"{ld} has led the party since {e['since']}.",
                    f"The party is headed by {ld}.",
                    f"{ld} became party leader in {e['since']}.",
                ]
            )
        )
    nt = e.get("notable")
    extras = [
        f"It holds {e['seats']} seats in the national assembly.",
        f"It campaigns chiefly on {e['issue']}.",
        f"Its members include {nt['name']}." if nt else None,
    ]
    prefer = [
        f"It was founded in {e['fy']} by {e['founder']['name']}."
        if str(e["fy"]) not in lead[0]
        else f"Its founder was {e['founder']['name']}."
    ]
    return e["name"], compose(lead, facts, extras, prefer, p_prefer=0.5)


def doc_politician(s):
    p, b, nm = pro(s), s["bridge"], s["name"]
    pt = ref(b)
    lead = [
        pick(
            [
                f"{nm} is a politician and member of {pt}.",
                f"{nm} sits in the national assembly for {pt}.",
                f"{nm} was elected in {s['elected']} as {pt} candidate for {s['constituency']}.",
                f"A member of {pt}, {nm} represents the {s['constituency']} constituency.",
            ]
        )
    ]
    org = other_company(None)
    extras = [
        f"{p['Sub']} chairs the committee on {s['topic']}.",
        f"{p['Sub']} was first elected in {s['elected']}." if str(s["elected"]) not in lead[0] else None,
        f"{p['Sub']} is known for speeches on {pick(ISSUES)}.",
    ]
    prefer = [
        [
            f"Before entering politics, {p['sub']} worked as {s['job']} in {s['born'][0]}.",
            f"{p['Sub']} was born in {s['born'][0]}.",
        ],
        f"Before entering politics, {p['sub']} worked for {ref(org)}.",
    ]
    return nm, compose(lead, [], extras, prefer)


# ----------------------------------------------------------------------------- composer
def doc_composer(e):
    p, nm, ins = pro(e), e["name"], e["instr"]
    by, dy = e["byear"], e["dyear"]
    mode = rng.random()
    if mode < 0.5:
        lead = [
            pick(
                [
                    f"{nm} ({by}–{dy}) was {a(e['born'][2])} composer and {ins} player.",
                    f"{nm} was a composer who performed on the {ins}.",
                    f"{nm} was a composer and virtuoso of the {ins}.",
                ]
            )
        ]
    else:
        lead = [
            pick([f"{nm} ({by}–{dy}) was a composer known for {e['style']}.", f"{nm} was {a(e['born'][2])} composer."]),
            pick(
                [
                    f"{p['Sub']} played the {ins}.",
                    f"{p['Sub']} performed as {a(ins)} soloist.",
                    f"{p['Sub']} was a gifted {ins} player.",
                ]
            ),
        ]
    nt = e.get("notable")
    extras = [
        f"{p['Sub']} was born in {e['born'][0]}.",
        f"{p['Pos']} best-known piece is {nt['name']}." if nt else None,
        f"{p['Sub']} studied composition at the {fresh_org('school')}.",
        f"{p['Sub']} also wrote {e['style']}." if e["style"] not in lead[0] else None,
    ]
    return nm, compose(lead, [], extras, lo=2, hi=5)


def doc_song(s):
    b, t, y = s["bridge"], s["name"], s["year"]
    cp = b["name"]
    lyr = person()["name"]
    lead = [
        pick(
            [
                f"{t} is a song composed by {cp}.",
                f"{t} is a {y} song with music by {cp} and lyrics by {lyr}.",
                f"{cp} wrote the music for {t} in {y}.",
                f"{t} is a song written by {cp} in {y}.",
            ]
        )
    ]
    other_instr = pick([i for i in INSTRUMENTS if i != b["instr"]])
    venue = pick(pool("venue"))
    extras = [
        f"It was first recorded by {person()['name']}.",
        f"The song appeared on the soundtrack of the film {unique(gen_title)}.",
        f"Its lyrics are by {lyr}." if lyr not in lead[0] else None,
    ]
    prefer = [
        f"The best-known arrangement features a prominent {other_instr} part.",
        f"It has often been performed at {ref(venue)}.",
        f"A cover version by {unique(gen_band_name)} charted in {rng.randint(y + 5, 2023)}.",
    ]
    return t, compose(lead, [], extras, prefer)


# --------------------------------------------------------------------------- university
def doc_university(e):
    Un, un, y, cty = Ref(e), ref(e), e["year"], e["city"][0]
    lead = [
        pick(
            [
                f"{Un} is a public university in {cty}, established in {y}.",
                f"Founded in {y}, {un} is a research university in {cty}.",
                f"{Un} is a university in {cty}.",
                f"{Un} is a university in {cty}, {e['city'][1]}.",
            ]
        )
    ]
    facts = []
    if str(y) not in lead[0]:
        facts.append(
            pick(
                [
                    f"It was established in {y}.",
                    f"It traces its origins to {y}.",
                    f"It received its charter in {y}.",
                    f"The university was founded in {y}.",
                ]
            )
        )
    nt = e.get("notable")
    extras = [
        f"It enrols about {e['students']} students.",
        f"It is known for its faculty of {e['field']}.",
        f"Its alumni include {nt['name']}." if nt else None,
        f"It opened a second campus in {city([cty])[0]} in {rng.randint(max(y + 30, 1960), 2022)}.",
    ]
    return e["name"], compose(lead, facts, extras, lo=2, hi=5)


def doc_alumnus(s):
    p, b, nm = pro(s), s["bridge"], s["name"]
    un, gy = ref(b), s["gy"]
    lead = [
        pick(
            [
                f"{nm} graduated from {un} in {gy} with a degree in {s['subj']}.",
                f"{nm} studied {s['subj']} at {un}, graduating in {gy}.",
                f"{nm} is a graduate of {un}.",
                f"{nm} earned {p['pos']} doctorate from {un} in {gy}.",
            ]
        )
    ]
    co = other_company(None)
    other_uni = pick(pool("university", b))
    extras = [
        f"{p['Sub']} grew up in {s['home'][0]}.",
        f"{p['Sub']} finished {p['pos']} studies in {gy}." if str(gy) not in lead[0] else None,
        f"{p['Sub']} {pick(HOBBIES)} in {p['pos']} spare time.",
    ]
    prefer = [
        [
            f"{p['Sub']} now works as {a(s['role'])} at {ref(co)}.",
            f"{p['Sub']} now works as {a(s['role'])} in {city()[0]}.",
        ],
        f"{p['Sub']} once gave a guest lecture at {ref(other_uni)}.",
    ]
    return nm, compose(lead, [], extras, prefer)


# ------------------------------------------------------------------- "other context" docs
def mention_doc(e):
    t = e["type"]
    nt = e.get("notable")
    y = rng.randint(2008, 2024)
    if t == "company":
        o = other_company(e)
        c2 = city()[0]
        return pick(
            [
                (
                    f"{e['name']} and {o['name']} partnership",
                    compose(
                        [f"{e['name']} announced a partnership with {ref(o)} in {y}."],
                        [f"The two firms will jointly develop products for {pick(MARKETS)}."],
                        [
                            f"Analysts expect the deal to cut costs for both companies.",
                            f"A joint pilot site will open near {c2}.",
                            f"Financial terms were not disclosed.",
                        ],
                        lo=2,
                        hi=4,
                    ),
                ),
                (
                    f"{e['name']} fined over {pick(['data breach', 'price fixing', 'late filings', 'safety lapses'])}",
                    compose(
                        [f"Regulators fined {e['name']} in {y} after an investigation."],
                        [f"The company said it would appeal the decision."],
                        [
                            f"The case began with a complaint filed in {c2}.",
                            f"The fine was one of the largest in the sector that year.",
                        ],
                        lo=2,
                        hi=4,
                    ),
                ),
                (
                    f"{e['name']} opens new warehouse",
                    compose(
                        [f"{e['name']} opened a new distribution warehouse outside {c2} in {y}."],
                        [f"The site will employ around {rng.randint(3, 40) * 10} people."],
                        [
                            f"It is the company's {ordinal(rng.randint(2, 5))} warehouse.",
                            f"Construction was carried out by {fresh_org('contractor')}.",
                        ],
                        lo=2,
                        hi=4,
                    ),
                ),
            ]
        )
    if t == "author":
        return (
            f"{e['name']} reading tour",
            compose(
                [
                    f"{e['name']} read from {nt['name'] if nt else 'a new manuscript'} at a literary evening in {city([e['bp'][0]])[0]} in {y}."
                ],
                [f"The event was organised by {fresh_org('org')}."],
                [f"Tickets sold out within days.", f"A second reading followed in {city([e['bp'][0]])[0]}."],
                lo=2,
                hi=3,
            ),
        )
    if t == "director":
        return (
            f"Retrospective of {e['name']}",
            compose(
                [f"The cinematheque in {city()[0]} held a retrospective of the films of {e['name']} in {y}."],
                [f"The programme included {nt['name']}." if nt else f"The programme included several early shorts."],
                [
                    f"The director attended the opening night.",
                    f"Restored prints were supplied by {fresh_org('studio')}.",
                ],
                lo=2,
                hi=4,
            ),
        )
    if t == "band":
        return (
            f"{e['name']} announce tour",
            compose(
                [
                    f"{e['name']} announced a {rng.randint(8, 30)}-date tour beginning in {city([e['fc'][0]])[0]} in {pick(MONTHS)} {y}."
                ],
                [f"Support will come from {unique(gen_band_name)}."],
                [
                    f"The tour follows the reissue of {nt['name']}."
                    if nt
                    else f"New songs are expected on the setlist.",
                    f"Tickets go on sale next week.",
                ],
                lo=2,
                hi=4,
            ),
        )
    if t == "painter":
        return (
            f"{e['name']} exhibition",
            compose(
                [f"The {fresh_org('museum')} in {city()[0]} opened an exhibition of work by {e['name']} in {y}."],
                [f"The show included {nt['name']}." if nt else f"The show included many rarely seen drawings."],
                [f"Several works were lent by private collectors.", f"It runs until {pick(MONTHS)}."],
                lo=2,
                hi=4,
            ),
        )
    if t == "naturalist":
        return (
            f"{e['name']} expedition",
            compose(
                [
                    f"An expedition led by {e['name']} to {e['region']} collected over {rng.randint(2, 30) * 100} specimens."
                ],
                [f"The results were published in the {fresh_org('journal')}."],
                [
                    f"The voyage lasted {pick(NUMWORD[:8])} months.",
                    f"Several new species were later described from the material.",
                ],
                lo=2,
                hi=4,
            ),
        )
    if t == "venue":
        return (
            f"{e['name']} renovation",
            compose(
                [f"{Ref(e)} will close for renovation in {y}."],
                [f"The works will be managed by {fresh_org('contractor')}."],
                [
                    f"Seating and acoustics are to be improved.",
                    f"The reopening is planned for {y + rng.randint(1, 3)}.",
                    f"{ref(nt)[:1].upper() + ref(nt)[1:]} will move to a temporary site while the works last."
                    if nt
                    else None,
                ],
                lo=2,
                hi=4,
            ),
        )
    if t == "architect":
        return (
            f"{e['name']} honoured",
            compose(
                [f"A centenary exhibition on {e['name']} opened in {city()[0]} in {y}."],
                [f"It focuses on {ref(nt)}." if nt else f"It shows drawings and models from the archive."],
                [f"The exhibition was curated by {person()['name']}.", f"It travels to {city()[0]} next year."],
                lo=2,
                hi=4,
            ),
        )
    if t == "club":
        o = pick(pool("club", e))
        a_, b_ = rng.randint(0, 4), rng.randint(0, 4)
        return (
            f"{e['name']} vs {o['name']}",
            compose(
                [f"{e['name']} and {o['name']} met in the cup in {pick(MONTHS)} {y}, with the score ending {a_}–{b_}."],
                [f"{person()['name']} scored for {e['name']}."],
                [
                    f"The match was played in heavy rain.",
                    f"{e['name']} will face {pick(pool('club', e))['name']} next.",
                ],
                lo=2,
                hi=4,
            ),
        )
    if t == "party":
        return (
            f"Poll: {e['name']}",
            compose(
                [f"Support for {ref(e)} rose to {rng.randint(4, 31)} per cent in a {y} poll."],
                [f"The survey was carried out by {fresh_org('pollster')}."],
                [f"The party gained most among voters under 35.", f"Its campaign focused on {e['issue']}."],
                lo=2,
                hi=4,
            ),
        )
    if t == "composer":
        return (
            f"Concert: music of {e['name']}",
            compose(
                [
                    f"The {fresh_org('ensemble')} performed {nt['name'] if nt else 'a rarely heard suite'} by {e['name']} in {city()[0]} in {y}."
                ],
                [f"The concert was broadcast on national radio."],
                [f"The programme also included works by {person()['name']}.", f"Critics praised the performance."],
                lo=2,
                hi=4,
            ),
        )
    if t == "university":
        return (
            f"{e['name']} research centre",
            compose(
                [f"{Ref(e)} announced a new research centre for {pick(FIELDS_UNI)} in {y}."],
                [f"It is funded partly by {ref(other_company(None))}."],
                [f"The centre will host {rng.randint(2, 9) * 10} researchers.", f"Construction begins next spring."],
                lo=2,
                hi=4,
            ),
        )
    raise ValueError(t)


BRIDGE_DOC = dict(
    company=doc_company,
    author=doc_author,
    director=doc_director,
    band=doc_band,
    painter=doc_painter,
    naturalist=doc_naturalist,
    venue=doc_venue,
    architect=doc_architect,
    club=doc_club,
    party=doc_party,
    composer=doc_composer,
    university=doc_university,
)
SUBJ_DOC = dict(
    employee=doc_employee,
    product=doc_product,
    novel=doc_novel,
    film=doc_film,
    album=doc_album,
    painting=doc_painting,
    species=doc_species,
    festival=doc_festival,
    building=doc_building,
    athlete=doc_athlete,
    politician=doc_politician,
    song=doc_song,
    alumnus=doc_alumnus,
)

# ======================================================================================
# Question kinds
# ======================================================================================
KINDS = [
    # kind, bridge type, subject type, answer attribute, n, templates ({s} subject ref, {S} capitalised)
    (
        "employee_hq",
        "company",
        "employee",
        "city",
        8,
        [
            "Where is the company that {s} works for based?",
            "What city hosts the head office of the firm employing {s}?",
            "In which city is {s}'s employer headquartered?",
            "{S} works for a company with its headquarters in which city?",
        ],
    ),
    (
        "employee_founder",
        "company",
        "employee",
        "founder",
        7,
        [
            "Who founded the company where {s} works?",
            "Who started the firm that employs {s}?",
            "{S}'s employer was established by whom?",
            "Name the founder of the organisation that {s} is employed by.",
        ],
    ),
    (
        "employee_year",
        "company",
        "employee",
        "year",
        7,
        [
            "In what year was the company {s} works for founded?",
            "When was {s}'s employer established?",
            "What year was the business that employs {s} set up?",
        ],
    ),
    (
        "product_ceo",
        "company",
        "product",
        "ceo",
        8,
        [
            "Who is the chief executive of the company that makes {s}?",
            "Who runs the manufacturer of {s}?",
            "Who leads the firm behind {s}?",
            "The maker of {s} is headed by which CEO?",
        ],
    ),
    (
        "product_hq",
        "company",
        "product",
        "city",
        7,
        [
            "Where is the manufacturer of {s} headquartered?",
            "In which city is the company that produces {s} based?",
            "What city is home to the firm that builds {s}?",
        ],
    ),
    (
        "novel_birthplace",
        "author",
        "novel",
        "birthplace",
        8,
        [
            "Where was the author of {s} born?",
            "In which city was the writer of the novel {s} born?",
            "What is the birthplace of the person who wrote {s}?",
            "The novelist behind {s} was born in which city?",
        ],
    ),
    (
        "film_nationality",
        "director",
        "film",
        "nationality",
        8,
        [
            "What nationality is the director of {s}?",
            "The film {s} was directed by someone of which nationality?",
            "What is the nationality of the filmmaker behind {s}?",
        ],
    ),
    (
        "album_formed",
        "band",
        "album",
        "formed",
        8,
        [
            "In which city was the band that released {s} formed?",
            "Where did the group behind the album {s} get together?",
            "What city did the act that recorded {s} originate in?",
        ],
    ),
    (
        "painting_school",
        "painter",
        "painting",
        "school",
        7,
        [
            "Which school did the painter of {s} attend?",
            "Where did the artist who painted {s} study?",
            "At which institution was the creator of the painting {s} trained?",
        ],
    ),
    (
        "species_institution",
        "naturalist",
        "species",
        "institution",
        8,
        [
            "At which institution did the naturalist who first described {s} work?",
            "Which institution employed the scientist who described {s}?",
            "Where was the researcher who named the species {s} based professionally?",
        ],
    ),
    (
        "festival_city",
        "venue",
        "festival",
        "city",
        8,
        [
            "In which city is the venue that hosts {s} located?",
            "What city is home to the venue where {s} takes place?",
            "{S} is held at a venue in which city?",
        ],
    ),
    (
        "building_mentor",
        "architect",
        "building",
        "mentor",
        7,
        [
            "Under whom did the architect of {s} train?",
            "Who mentored the architect who designed {s}?",
            "Who taught the person who designed {s}?",
        ],
    ),
    (
        "athlete_stadium",
        "club",
        "athlete",
        "stadium",
        8,
        [
            "What is the home ground of the club that {s} plays for?",
            "At which stadium does {s}'s team play its home matches?",
            "Where does the club with {s} on its roster host its home games?",
        ],
    ),
    (
        "politician_leader",
        "party",
        "politician",
        "leader",
        7,
        [
            "Who leads the party that {s} belongs to?",
            "Who is the leader of {s}'s political party?",
            "Which politician heads the party of which {s} is a member?",
        ],
    ),
    (
        "song_instrument",
        "composer",
        "song",
        "instrument",
        7,
        [
            "What instrument did the composer of {s} play?",
            "Which instrument is the person who composed {s} known for playing?",
            "The music for {s} was written by a player of which instrument?",
        ],
    ),
    (
        "alumnus_year",
        "university",
        "alumnus",
        "year",
        7,
        [
            "When was the university that {s} graduated from established?",
            "In what year was {s}'s alma mater founded?",
            "What is the founding year of the university {s} graduated from?",
        ],
    ),
]

N_DECOY = dict(
    company=12,
    author=5,
    director=5,
    band=5,
    painter=5,
    naturalist=5,
    venue=5,
    architect=5,
    club=5,
    party=5,
    composer=5,
    university=5,
)
N_ORPHAN = dict(
    company=4,
    author=2,
    director=2,
    band=2,
    painter=2,
    naturalist=2,
    venue=2,
    architect=2,
    club=2,
    party=2,
    composer=2,
    university=2,
)
P_REUSE = 0.18
P_NOTABLE_DOC = 0.22
P_DECOY_SUBJ = (0.6, 0.2)  # first and second decoy subject doc for decoy bridges
P_MENTION = 0.30
TARGET_DOCS = 500


def wb(s):
    return re.compile(r"(?<![\w])" + re.escape(s) + r"(?![\w])", re.I)


def main():
    # ---------------- 1. question bridges and subjects
    questions = []
    qbridges = {t: [] for t in BRIDGE_TYPES}
    uses = Counter()
    for kind, btype, stype, attr, n, tmpls in KINDS:
        for _ in range(n):
            cands = [b for b in qbridges[btype] if uses[id(b)] < 2]
            if cands and chance(P_REUSE):
                b = pick(cands)
            else:
                b = new_bridge(btype)
                qbridges[btype].append(b)
            uses[id(b)] += 1
            s = MAKE_SUBJ[stype](b)
            questions.append(dict(kind=kind, subj=s, bridge=b, attr=attr, tmpls=tmpls))
    # ---------------- 2. decoy bridges (with docs) and orphan bridges (no doc)
    decoys = []
    for t in BRIDGE_TYPES:
        for _ in range(N_DECOY[t]):
            decoys.append(new_bridge(t))
        for _ in range(N_ORPHAN[t]):
            o = new_bridge(t)
            o["has_doc"] = False
    # ---------------- 3. notable (non-question) subjects named inside bridge docs
    extra_subjects = []  # (subject, role)
    for b in ALL_BRIDGES:
        if not b["has_doc"]:
            continue
        nt = MAKE_SUBJ[NOTABLE_OF[b["type"]]](b)
        b["notable"] = nt
        if chance(P_NOTABLE_DOC):
            extra_subjects.append((nt, "sibling"))
    for b in decoys:
        for p in P_DECOY_SUBJ:
            if chance(p):
                extra_subjects.append((MAKE_SUBJ[pick(SUBJ_OF[b["type"]])](b), "decoy-chain"))
    for b in ALL_BRIDGES:
        if not b["has_doc"]:
            for _ in range(rng.randint(1, 2)):
                extra_subjects.append((MAKE_SUBJ[pick(SUBJ_OF[b["type"]])](b), "orphan-hop1"))
    mention_bridges = [b for b in ALL_BRIDGES if b["has_doc"] and chance(P_MENTION)]

    # ---------------- 4. build documents, with the generic leak check
    name_re = {}
    bridges_with_facts = [b for b in ALL_BRIDGES]

    def leaks(text, primary):
        for b in bridges_with_facts:
            if b is primary or b["name"] not in text:
                continue
            if not name_re.setdefault(b["name"], wb(b["name"])).search(text):
                continue
            for f in b["F"]:
                rx = name_re.setdefault(f, wb(f))
                if rx.search(text):
                    return True
        return False

    docs = []

    def build(fn, arg, role, primary=None, must=()):
        for _ in range(400):
            title, text = fn(arg)
            if leaks(title + " \n " + text, primary):
                continue
            if any(m not in text for m in must):
                continue
            d = dict(title=title, content=text, role=role, etype=arg.get("type", ""), n_sent=COMPOSE_N[0])
            docs.append(d)
            return d
        raise RuntimeError(f"could not build a clean document for {arg['name']}")

    bdoc = {}
    for b in ALL_BRIDGES:
        if b["has_doc"]:
            bdoc[id(b)] = build(BRIDGE_DOC[b["type"]], b, "bridge-doc", primary=b, must=[b["name"]])
    for q in questions:
        q["hop1"] = build(
            SUBJ_DOC[q["subj"]["type"]], q["subj"], "question-hop1", must=[q["bridge"]["name"], q["subj"]["name"]]
        )
        q["hop2"] = bdoc[id(q["bridge"])]
    for s, role in extra_subjects:
        build(SUBJ_DOC[s["type"]], s, role, must=[s["bridge"]["name"]])
    for b in mention_bridges:
        if len(docs) >= TARGET_DOCS:
            break
        build(mention_doc, b, "mention", must=[b["name"]])
    # top up with more mention docs / decoy chains until the target size
    while len(docs) < TARGET_DOCS:
        b = pick([x for x in ALL_BRIDGES if x["has_doc"]])
        if chance(0.5):
            build(mention_doc, b, "mention", must=[b["name"]])
        else:
            st = pick(SUBJ_OF[b["type"]])
            build(SUBJ_DOC[st], MAKE_SUBJ[st](b), "decoy-chain", must=[b["name"]])

    # ---------------- 5. ids, questions
    rng.shuffle(docs)
    for i, d in enumerate(docs, 1):
        d["doc_id"] = f"t{i:04d}"
    rng.shuffle(questions)
    out_q = []
    for i, q in enumerate(questions, 1):
        s, b = q["subj"], q["bridge"]
        sref = ref(s)
        text = pick(q["tmpls"]).format(s=sref, S=cap(sref))
        out_q.append(
            dict(
                id=f"tq{i:03d}",
                question=text,
                answer=b["ans"][q["attr"]],
                supporting=[q["hop1"]["doc_id"], q["hop2"]["doc_id"]],
                bridge=b["name"],
                _kind=q["kind"],
                _subject=s["name"],
            )
        )

    # ---------------- 6. validation
    by_id = {d["doc_id"]: d for d in docs}
    full = {d["doc_id"]: d["title"] + " \n " + d["content"] for d in docs}

    def has(name, text):
        return name in text and wb(name).search(text) is not None

    assert len(docs) == len(by_id)
    seen_titles = Counter(d["title"] for d in docs)
    for q in out_q:
        h1, h2 = q["supporting"]
        subj, br, ans = q["_subject"], q["bridge"], q["answer"]
        assert br in by_id[h1]["content"] and br in by_id[h2]["content"], q
        assert subj in by_id[h1]["content"], q
        assert not wb(ans).search(full[h1]), ("answer in hop1", q)
        assert wb(ans).search(by_id[h2]["content"]), ("answer missing in hop2", q)
        assert not has(subj, full[h2]), ("subject in hop2", q)
        holders = [i for i, t in full.items() if has(subj, t)]
        assert holders == [h1], ("subject in several docs", q, holders)
        both = [i for i, t in full.items() if has(br, t) and wb(ans).search(t)]
        assert both == [h2], ("bridge+answer in another doc", q, both)
        assert br not in q["question"] and not wb(ans).search(q["question"]), q
    for d in docs:
        assert 2 <= d["n_sent"] <= 6, d

    # ---------------- 7. write
    with open(os.path.join(OUT_DIR, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for d in sorted(docs, key=lambda d: d["doc_id"]):
            f.write(
                json.dumps(dict(doc_id=d["doc_id"], title=d["title"], content=d["content"]), ensure_ascii=False) + "\n"
            )
    with open(os.path.join(OUT_DIR, "questions.jsonl"), "w", encoding="utf-8") as f:
        for q in out_q:
            f.write(json.dumps({k: v for k, v in q.items() if not k.startswith("_")}, ensure_ascii=False) + "\n")

    # ---------------- 8. stats + README
    role_counts = Counter(d["role"] for d in docs)
    kind_counts = Counter(q["_kind"] for q in out_q)
    mention_counts = Counter()
    for q in out_q:
        mention_counts[q["bridge"]] = sum(1 for t in full.values() if has(q["bridge"], t))
    dist = Counter(mention_counts.values())
    shared = sum(1 for v in Counter(q["bridge"] for q in out_q).values() if v > 1)
    sent = Counter(d["n_sent"] for d in docs)
    stats = dict(
        docs=len(docs),
        questions=len(out_q),
        roles=dict(role_counts),
        kinds=dict(kind_counts),
        bridge_doc_count_dist=dict(sorted(dist.items())),
        shared_bridges=shared,
        sentences=dict(sorted(sent.items())),
        entity_types=dict(Counter(d["etype"] for d in docs)),
    )
    names = sorted({q["bridge"] for q in out_q})

    def ex(pred):
        hits = [n for n in names if pred(n)]
        return hits[0] if hits else ""

    stats["examples"] = dict(
        amp=ex(lambda n: " & " in n),
        hyph=ex(lambda n: re.search(r"\w-\w", n) and " " in n),
        init=ex(lambda n: re.match(r"^[A-Z]\. [A-Z]\. ", n)),
        part=ex(lambda n: re.search(r" (van|de|ter|dos|da|di|del|von|dal|le|ten) ", n)),
        low=ex(lambda n: re.search(r" (of|at|for|and) ", n)),
        single=ex(lambda n: " " not in n),
    )
    write_readme(stats)
    print(json.dumps(stats, indent=1))


def write_readme(st):
    kinds_rows = "\n".join(f"| `{k}` | {s} → {b} → {a_} | {st['kinds'][k]} |" for k, b, s, a_, n, t in KINDS)
    roles = st["roles"]
    dist = ", ".join(f"{k} docs: {v}" for k, v in st["bridge_doc_count_dist"].items())
    sent = ", ".join(f"{k}: {v}" for k, v in st["sentences"].items())
    ex = st["examples"]
    ex_txt = ", ".join(f'"{v}"' for v in ex.values() if v)
    txt = f"""# twohop_test — held-out two-hop (bridge-entity) retrieval test set

Own **test** set for the graph-expanded `context` feature of the memory hub. It is never used for tuning.
It was written independently of `bench/data/twohop_dev/`.

Every question needs two documents joined by a named *bridge* entity (HotpotQA "bridge" style):
document A (hop 1) names the question's subject and the bridge entity but not the answer; document B
(hop 2) names the bridge entity and states the answer but never mentions the subject.

## Files

| file | content |
|---|---|
| `corpus.jsonl` | {st["docs"]} documents, one per line: `{{"doc_id": "t0001", "title": "...", "content": "..."}}` |
| `questions.jsonl` | {st["questions"]} questions: `{{"id": "tq001", "question", "answer", "supporting": [hop1_doc, hop2_doc], "bridge"}}` |
| `make_twohop.py` | the generator (standard library only, fixed seed `{SEED}`; rerunning gives identical files) |

`supporting[0]` is the document the question names directly (hop 1), `supporting[1]` the one reached
through the bridge entity. `bridge` is the entity's full name as written in both documents.
Doc ids are assigned after a shuffle, so they carry no information about pairing.

## Question kinds (16)

| kind | subject → bridge → answer | questions |
|---|---|---|
{kinds_rows}

Each kind has 3–4 question wordings, several of which avoid the documents' verbs
("What city hosts the head office of the firm employing X?", "Who runs the manufacturer of the Y?").

## How the corpus was made

* All people, companies, works, institutions, species, venues, clubs, parties and products are invented
  from large name pools (given names/surnames from many languages, syllable-generated brand words, title
  patterns, Latin binomials); cities and nationalities are real. A global registry guarantees that no two
  entities share a full name and that no full name occurs inside another one. Names include multi-word and
  single-word forms, `&`, hyphens, initials, particles and lowercase function words; bridge names in the
  questions include {ex_txt}.
* Documents are 2–6 sentences of varied prose: several sentence patterns per fact, the key fact either first
  or after an introductory sentence, pronouns after the first mention, and extra details.
* Document roles: {roles.get("question-hop1", 0)} question hop-1 documents, {roles.get("bridge-doc", 0)} entity documents
  (hop-2 documents of the questions plus decoy entities of the same kinds), {roles.get("sibling", 0)} "sibling" hop-1
  documents (another work/employee/product of a question's bridge entity), {roles.get("decoy-chain", 0)} decoy hop-1
  documents of decoy entities, {roles.get("orphan-hop1", 0)} hop-1 documents whose bridge has no document, and
  {roles.get("mention", 0)} "other context" documents (partnership news, tours, exhibitions, polls, match reports…)
  that name a bridge entity without stating the asked attribute.
* Hard distractors: every kind has many same-kind documents sharing the question vocabulary; most hop-1
  documents also name an irrelevant second organisation or place of the answer's type (a former employer
  that itself has a document, a rival product's maker, a publisher's city, a shooting location, a museum,
  a former club, a type-specimen repository, another instrument …); hop-2 documents contain answer-type
  decoys (a regional office city, a later teaching post, a party founder next to its leader, a current
  residence next to a birthplace). {st["shared_bridges"]} bridge entities are shared by two questions.
* Number of corpus documents containing each question's bridge name: {dist}.
* Sentences per document: {sent}.

## Guarantees checked by the generator (assertions)

* the bridge name appears in full in both supporting documents;
* the answer (whole-word, case-insensitive) is absent from the hop-1 document and present in the hop-2 document;
* the hop-1 subject appears in no other document (so not in the hop-2 document);
* no document other than the hop-2 document contains both the bridge name and the answer — a generic
  check applied to every document that names any entity with a stated attribute;
* neither the bridge nor the answer appears in the question text.

Regenerate with `python3 make_twohop.py` (writes the three data files into this folder).
"""
    with open(os.path.join(OUT_DIR, "README.md"), "w", encoding="utf-8") as f:
        f.write(txt)


if __name__ == "__main__":
    main()
