#!/usr/bin/env python3
"""Generate the two-hop ("bridge") development set for graph-expanded context.

Every question needs two documents joined by a named entity (the bridge): the question names a subject, the
hop-1 document links the subject to the bridge, and the hop-2 document states the answer about the bridge
without naming the subject. Around them sit hard distractors: many documents of the same kinds, sharing the
questions' vocabulary, some about the same bridge entities.

Deterministic (fixed seed) and standard library only:

    python3 bench/data/twohop_dev/make_twohop.py

writes corpus.jsonl, questions.jsonl and README.md next to this file and checks the set (see validate()).
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from collections import Counter
from types import SimpleNamespace as E

SEED = 20240917
HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(SEED)

# ---------------------------------------------------------------------------------------------------------------
# Name pools
# ---------------------------------------------------------------------------------------------------------------

FIRST_F = """Maria Anna Sofia Elena Ingrid Astrid Freya Liv Maja Ida Nora Clara Helena Julia Lena Marta Agnieszka
Katarzyna Zofia Ewa Hanna Aino Kaisa Saara Eeva Leena Chiara Giulia Francesca Lucia Beatriz Inês Carmen Pilar Rocío
Camille Élodie Margaux Manon Amélie Siobhan Aoife Niamh Fiona Isla Eilidh Priya Ananya Kavya Meera Yuki Haruka Aiko
Mei Xiu Ji-woo Soo-ah Amara Chiamaka Zainab Fatima Leila Yasmin Nadia Dilnoza Ayşe Elif Zeynep Olga Irina Tatiana
Daria Vesna Mirela Ivana Petra Tereza Lucie Rosa Gabriela Valentina Camila Luciana Renata Grace Hannah Emily Abigail
Olivia Ruth Naomi Miriam Esther Ingeborg Sigrid Tove Ebba Linnea Greta Dagny Marit Annika Paula Teresa Veronika
Simone Noor Sana Thandiwe Nomvula Adwoa Efua Henrike Johanna Mathilde Solveig Birgit Wilhelmina Orla Keiko Rin Aylin
Nkechi Folake Marisol Ximena Agathe Louise Cecilia Dorota Halina Lidia Mónica Susana""".split()

FIRST_M = """Jonas Lukas Matthias Tobias Felix Henrik Lars Erik Nils Magnus Anders Oskar Emil Mikael Juhani Eero Pekka
Tomasz Piotr Marek Jakub Ondřej Tomáš Marco Luca Matteo Giorgio Paolo Diego Javier Mateo Andrés Rafael Tiago João
Pierre Julien Antoine Mathieu Laurent Cian Declan Ruairí Callum Ewan Fraser Arjun Rohan Vikram Sanjay Hiroshi Kenji
Takeshi Daichi Wei Jun Hao Min-jun Seo-jun Chinedu Emeka Kwame Kofi Tunde Omar Karim Youssef Tariq Mehmet Emre Burak
Dmitri Sergei Alexei Nikolai Goran Luka Dragan Stefan Bogdan Adrian Gabriel Samuel Daniel Benjamin Thomas Oliver
William Henry Theo Hugo Arthur Leon Maximilian Viktor Anton Sebastian Elias Joel Aaron Isaac Sipho Thabo Kojo
Ibrahim Rashid Farid Bastian Jannik Sindre Torbjørn Ville Aleksander Radek Enzo Bruno Gonzalo Ignacio Rodrigo
Florian Quentin Niall Ronan Aditya Kiran Ryo Shota Yusuf Hamza Olumide Ikenna Mateusz Wojciech Lorenzo Emilio""".split()

LAST = """Keller Novak Lindqvist Haugen Virtanen Korhonen Nieminen Nowak Kowalczyk Horvat Kovač Dvořák Svoboda
Moretti Ricci Bianchi Colombo Esposito Ferraro Romano Galli Conti Marino Ortega Navarro Delgado Castillo Herrera
Medina Vargas Moreno Ramos Figueiredo Carvalho Almeida Barros Teixeira Duarte Lefèvre Moreau Girard Fontaine
Rousseau Bertrand Chevalier Leclerc Mercier Dubois Gauthier Brennan Gallagher Byrne Kavanagh Doyle Murphy Quinn
Fitzgerald MacLeod Campbell Sinclair Drummond Buchanan Henderson Whitaker Ashworth Blackwell Thornton Fairbanks
Hollis Lockwood Pennington Radcliffe Sutherland Winslow Hargreaves Caldwell Ellery Forsyth Galbraith Hastings
Ingram Jennings Kendrick Langley Mallory Northcott Osborne Prescott Rowntree Stanhope Tennant Underwood Vance
Wakefield Yates Bauer Schmitt Hoffmann Krüger Vogel Brandt Lehmann Engel Richter Wolff Baumann Kessler Sommer
Fischer Weber Hartmann Lindgren Bergström Sandberg Holm Dahl Strand Eklund Nyberg Sjöberg Aaltonen Lehtinen Salo
Mäkinen Jensen Nielsen Kristensen Madsen Vos Jansen Visser Bakker Smit Mulder Peeters Claes Janssens Tanaka Sato
Nakamura Kobayashi Fujita Morita Ishikawa Kimura Chen Wang Liu Zhao Huang Park Kim Choi Jung Kang Sharma Patel
Iyer Menon Reddy Nair Bose Chatterjee Kapoor Mehta Okafor Adeyemi Mensah Owusu Boateng Nwosu Eze Abiodun Haddad
Khoury Nasser Mansour Rahimi Karimi Aziz Demir Yılmaz Kaya Aydın Şahin Petrov Volkov Morozov Orlov Popescu
Ionescu Dumitru Stoica Papadopoulos Nikolaidis Georgiou Horváth Szabó Tóth Nagy Varga Molnár Silva Santos Pereira
Costa Rocha Mendes Gutiérrez Rojas Fuentes Cabrera Ndlovu Dlamini Mokoena Nkosi Mwangi Otieno Kamau Walsh
Harrington Crowley Morrow Abernathy Beaumont Carrington Delacroix Everett Fairweather Greaves Hale Ives Jarvis
Kirby Lowell Marsh Nash Oakley Pryce Rhodes Shaw Talbot Upton Voss Ward Wren Zimmermann Halvorsen Solberg Berg
Aasen Lund Eriksen Mikkelsen Rasmussen Pedersen Andersson Forsberg Wallin Ekström Laine Heikkinen Koskinen
Ruud Brekke Sørensen Vinter Castel Arnaud Marchand Perrin Renard Lambert Quintero Soler Vidal Pujol Serrano
Rinaldi Lombardi Sartori Fabbri Grasso Leone Pellegrini Ferri Vitale Zanetti""".split()

# Surnames kept apart from LAST so that an organisation's name never shares a surname with a person in the set.
ORG_SURNAMES = """Harlan Moss Whitcombe Ferrand Ashdown Calloway Devereux Brannock Holloway Pemberton Quayle Ravelston
Sandford Thackeray Ulverston Vickery Yardley Ainsworth Blackwood Cartwright Danforth Elsworth Faversham Grantley
Hawthorne Ingleby Jessop Kilbride Lockhart Merriweather Netherby Ormsby Pendleton Rutherford Selwyn Treadwell
Varley Whitlock Alder Brightman Crayford Dunmore Eastwood Fenwick Goodall Hartwell Kingsley Linwood Marlowe
Norwood Oldfield Penrose Redgrave Stirling Trelawney Wetherby Ashcombe Bellamy Cromer Dewhurst Fairclough Gresham
Halloran Kettering Lindley Mortimer Needham Overton Prideaux Rennick Saltash Tilbury Waverley Aldous Braddock
Corbin Darrow Everly Fallon Garrick Hensley Jardine Kingsford Lyle Ogilvy Pascoe Redmond Thorne Vail Whitford
Ambrose Bexley Cheverton Dalgleish Egerton Fitzwilliam Gilchrist Hollingsworth Keswick Lattimer Montague
Nettleton Ollerton Pickering Quenby Rossiter Stapleton Tolliver Wainwright Wyndham Abbott Ackroyd Allerton Appleby
Armitage Atherton Aubrey Bainbridge Barraclough Beresford Birtwistle Blakemore Bramall Brocklehurst Cavendish Chadwick
Clitheroe Colquhoun Coverdale Crabtree Dimmock Dunstan Eldridge Ellwood Elphinstone Farnsworth Featherstone Fothergill
Garside Gildersleeve Goodwin Greenhalgh Grimshaw Haddington Halstead Hebblethwaite Heseltine Hetherington Hinchcliffe
Holroyd Huxtable Kirkpatrick Knowles Loveday Lumsden Macaulay Mainwaring Marchbank Micklethwaite Oakeshott Ormerod
Pettigrew Pilkington Postlethwaite Ramsbottom Rigby Ripley Rowbotham Sackville Satterthwaite Shackleton Sowerby
Spofforth Stansfield Thistlethwaite Tindall Townsend Trevelyan Tunstall Uttley Wadsworth Walmsley Warburton Whitworth
Widdowson Wilberforce Witherspoon Woolley Wrigley""".split()
assert not set(ORG_SURNAMES) & set(LAST), set(ORG_SURNAMES) & set(LAST)

# Invented one-word stems for company, shipyard, stadium, restaurant... names. Each is used at most once.
WORDS = """Brightwater Northwind Halcyon Copperleaf Bluefin Stonebridge Ironbark Silverline Redfern Greywell Amberly
Blackthorn Clearpath Coldharbour Deepwell Driftwood Eastgate Emberline Fairhaven Fernhill Flintlock Foxglove
Goldcrest Greenhollow Harborlight Highfield Hollowpine Juniper Keystone Lakeshore Larkspur Lodestar Longbow
Meadowlark Millbrook Moonrise Northgate Oakhurst Pinecrest Quarrystone Ravenhill Redwing Riverbend Rosewood
Saltmarsh Sandpiper Seabright Shorepoint Silverbirch Skylark Snowcap Southwind Starling Stillwater Sunridge
Thistledown Tidewater Timberline Westbrook Whitecliff Wildbrook Willowmere Windrose Wintergreen Wolfcrest Zephyr
Bramblewood Cinderfield Dawnlight Evenfall Farrowdale Glimmerstone Hearthstone Ivyridge Kingfisher Lanternfield
Marbleway Nightingale Oriel Palisade Quicksilver Rainford Seacliff Thornbury Valewood Wayfarer Brackenridge
Cobaltline Duskwood Elmstead Frostline Gullwing Ironwood Jetstream Kelpwater Lindenhall Mistral Northstar
Pebblebrook Quillfeather Rookwood Tamarack Umbra Vantage Waypoint Ashgrove Birchfield Cedarline Dovetail Everglow
Fieldstone Glasswing Hillcrest Inkwell Jadeleaf Bellwether Coppergate Hazelmere Lowmoor Orchardine Pilgrimstone
Ridgeback Sablewood Tarnside Wrenfield Alderbank Brookhaven Crestmoor Dunlin Fennick Graniteview Hartshorn""".split()

_PRE = """North South East West Silver Copper Iron Stone Oak Ash Elm Fern Moss Sea Lake Hill Brook Wind Sun Star
Moon Frost Snow Red Black White Green Grey Blue Gold Amber Raven Hawk Fox Wolf Swan Heather Birch Alder Thorn Lark
Kite Wren Cloud Rain Mist Ember Flint Slate""".split()
_SUF = "water field gate ridge wood brook stone haven crest mere vale light fall point hall moor line fold reach shore".split()
WORDS = WORDS + [p + s for p in _PRE for s in _SUF if (p + s) not in WORDS]

BAND_WORDS = """Kestrel Parallax Undertow Wolfsbane Brightfall Mirrorland Glasshouse Nightjar Harbourlights Monsoon
Tessellate Driftglass Ostinato Verdigris Fathom Halogen Pylon Woodsmoke Solace Lowtide Paperkites Cinnabar
Marrowbone Static Bloom Aperture Gossamer Tinderbox""".split()
BAND_ADJ = (
    "Velvet Electric Hollow Quiet Paper Neon Silver Burning Wandering Crooked Midnight Lonesome Golden Painted".split()
)
BAND_NOUNS = "Foxes Orchards Lanterns Satellites Magpies Sparrows Engines Ghosts Mariners Pilots Tigers Comets Divers Saints".split()

TITLE_ADJ = """Salt Silent Paper Distant Hollow Glass Winter Quiet Burning Small Long Crooked Borrowed Bitter Northern
Little Sleeping Open Lost Faded Amber Iron Wild Narrow Patient Second Yellow Blue Restless Unfinished Gentle
Drowned Summer Last Folded Empty Secret Frozen Golden""".split()
TITLE_NOUNS = """Orchard Harbour Lantern Kingdom River Garden Tide Country Bridge Letter Ferry Orchestra Mirror Island
Hour Season Room Shore Window Wedding Inheritance Mountain Choir Lighthouse Compass Archive Valley Balcony Railway
Forest Telegram Carousel Vineyard Quarry Staircase Atlas Bakery Observatory Harvest Ledger Meadow Cartographer
Winterhouse Citadel Ballroom Estuary Greenhouse Typewriter Ferryman Boathouse""".split()
TITLE_ABSTRACT = """Silence Distance Memory Weather Mercy Gravity Belonging Longing Rain Salt Smoke Ash Light Dust
Thunder Honey Snow Glass Iron Paper Fog Clay""".split()

PAINT_SUBJECTS = [
    "Ferryman",
    "Seamstress",
    "Orchard Keeper",
    "Harbour Pilot",
    "Young Cellist",
    "Sleeping Shepherd",
    "Lacemaker",
    "Clockmaker",
    "Lamplighter",
    "Fishmonger",
    "Beekeeper",
    "Glassblower",
    "Astronomer",
    "Ropemaker",
    "Weaver",
    "Lock Keeper",
]

PAPER_ADJ = "Sparse Robust Scalable Contrastive Adaptive Hierarchical Bayesian Efficient Federated Causal Probabilistic Self-Supervised Differentiable".split()
PAPER_METHOD = """Attention Kernels|Graph Embeddings|Diffusion Models|Sampling Schemes|Transformers|Reward Models|Retrieval
Methods|Feature Selection|Calibration|Optimal Transport|Ensembles|Latent Variable Models|Spectral Clustering""".replace(
    "\n", " "
).split("|")
PAPER_TASK = """Protein Folding|Coastal Flood Forecasting|Crop Yield Estimation|Speech Recognition in Noisy Rooms|Battery
Degradation Modelling|Traffic Prediction|Rare Disease Diagnosis|Glacier Mapping|Legal Document Search|Seismic Event
Detection|Wildfire Risk Estimation|Low-Resource Translation|Galaxy Classification|Soil Carbon Measurement|Medical Image
Segmentation|Power Grid Balancing""".replace("\n", " ").split("|")

SHIP_ADJ = "Northern Silver Bright Steady Swift Coastal Polar Amber Morning Evening Distant Patient Golden Iron Gentle Hardy Valiant Quiet Restless Western".split()
SHIP_NOUN = "Petrel Tern Albatross Gannet Fulmar Skua Puffin Shearwater Guillemot Kittiwake Harrier Spirit Endeavour Horizon Voyager Pioneer Resolve Compass Anchor Cormorant".split()

TOWN_PRE = "Varn Ost Hal Bre Lind Ash Thorn Mar Kel Ros Fen Dun Wil Ebb Cal Sorn Tarr Gul Hov Ild Jor Kirk Lor Mel Nor Orm Pell Quen Rav Skel Tor Ulf Vel Wend Yst Brack Cran Elk Holt".split()
TOWN_SUF = "holm brück ford by wick dale stead mere hausen ton vik stad burg field moor bridge haven thorpe".split()

SYL = "va ren cor tal mi lo sen dra vex ly na thi bel mar zan ori pel ri sa tor ven el ka lu dor fen is ra nel sti gan ber ho lin ter vo ul mos dan kir".split()

# Real cities (name: country), used as places.
CITIES = [
    tuple(pair.split(": "))
    for pair in """Tallinn: Estonia, Riga: Latvia, Vilnius: Lithuania, Helsinki: Finland, Turku: Finland,
Oslo: Norway, Bergen: Norway, Trondheim: Norway, Stockholm: Sweden, Gothenburg: Sweden,
Malmö: Sweden, Uppsala: Sweden, Copenhagen: Denmark, Aarhus: Denmark, Reykjavik: Iceland,
Dublin: Ireland, Cork: Ireland, Galway: Ireland, Edinburgh: United Kingdom,
Glasgow: United Kingdom, Manchester: United Kingdom, Leeds: United Kingdom,
Bristol: United Kingdom, Cardiff: United Kingdom, Belfast: United Kingdom, Lisbon: Portugal,
Porto: Portugal, Seville: Spain, Valencia: Spain, Bilbao: Spain, Barcelona: Spain, Madrid: Spain,
Vigo: Spain, Lyon: France, Marseille: France, Bordeaux: France, Nantes: France, Lille: France,
Toulouse: France, Saint-Nazaire: France, Antwerp: Belgium, Ghent: Belgium, Rotterdam: Netherlands,
Utrecht: Netherlands, Eindhoven: Netherlands, Hamburg: Germany, Bremen: Germany, Leipzig: Germany,
Dresden: Germany, Cologne: Germany, Stuttgart: Germany, Munich: Germany, Kiel: Germany,
Rostock: Germany, Zurich: Switzerland, Basel: Switzerland, Geneva: Switzerland, Vienna: Austria,
Graz: Austria, Salzburg: Austria, Prague: Czech Republic, Brno: Czech Republic, Kraków: Poland,
Gdańsk: Poland, Wrocław: Poland, Poznań: Poland, Szczecin: Poland, Budapest: Hungary,
Ljubljana: Slovenia, Zagreb: Croatia, Rijeka: Croatia, Bologna: Italy, Turin: Italy, Milan: Italy,
Naples: Italy, Palermo: Italy, Genoa: Italy, Trieste: Italy, Athens: Greece, Thessaloniki: Greece,
Piraeus: Greece, Istanbul: Turkey, Izmir: Turkey, Tbilisi: Georgia, Varna: Bulgaria,
Constanța: Romania, Montreal: Canada, Toronto: Canada, Vancouver: Canada, Halifax: Canada,
Boston: United States, Chicago: United States, Denver: United States, Seattle: United States,
Portland: United States, Austin: United States, Pittsburgh: United States,
Minneapolis: United States, Baltimore: United States, Valparaíso: Chile, Santiago: Chile,
Montevideo: Uruguay, Buenos Aires: Argentina, Córdoba: Argentina, Lima: Peru, Bogotá: Colombia,
Medellín: Colombia, Quito: Ecuador, Recife: Brazil, Curitiba: Brazil, Cape Town: South Africa,
Durban: South Africa, Nairobi: Kenya, Accra: Ghana, Lagos: Nigeria, Casablanca: Morocco,
Tunis: Tunisia, Mumbai: India, Pune: India, Bangalore: India, Chennai: India, Kolkata: India,
Osaka: Japan, Kyoto: Japan, Nagoya: Japan, Sapporo: Japan, Nagasaki: Japan, Busan: South Korea,
Ulsan: South Korea, Taipei: Taiwan, Kaohsiung: Taiwan, Hanoi: Vietnam, Haiphong: Vietnam,
Melbourne: Australia, Adelaide: Australia, Brisbane: Australia, Auckland: New Zealand,
Wellington: New Zealand""".replace(",\n", ", ").split(", ")
]
CITY_NAMES = [c for c, _ in CITIES]
COUNTRY_OF = dict(CITIES)
PORT_CITIES = """Gdańsk Szczecin Rijeka Genoa Trieste Busan Ulsan Nagasaki Turku Rostock Kiel Bremen Glasgow Belfast
Saint-Nazaire Vigo Gothenburg Aarhus Rotterdam Halifax Kaohsiung Haiphong Durban Bergen Constanța Varna Piraeus
Trondheim""".split()
assert all(c in COUNTRY_OF for c in PORT_CITIES)
FLAGS = ["Panama", "Liberia", "the Marshall Islands", "Malta", "the Bahamas", "Cyprus", "Antigua and Barbuda"]
COUNTRIES = sorted(set(COUNTRY_OF.values())) + [
    "Panama",
    "Liberia",
    "Marshall Islands",
    "Malta",
    "Bahamas",
    "Cyprus",
    "Antigua and Barbuda",
]

MONTHS = "January February March April May June July August September October November December".split()
ORD = ["first", "second", "third", "fourth", "fifth", "sixth"]

# Fixed, named things that are not entities of any chain (registered so no invented name collides with them).
FESTIVALS = [
    "Northlight Film Festival",
    "Saltire International Film Festival",
    "Vesper Film Festival",
    "Lakeside Film Days",
    "Mistwood Film Festival",
    "Blue Hour Film Festival",
    "Open Frame Festival",
    "Cinema Nova Festival",
]
CONFERENCES = [
    "Nordic Data Forum",
    "Open Systems Summit",
    "European Product Week",
    "Applied Robotics Congress",
    "Future of Work Conference",
    "Cloud Native Days",
    "Hardware Design Expo",
    "Data Leaders Meetup",
]
BOOK_PRIZES = [
    "Ashen Quill Prize",
    "Calder Fiction Award",
    "Lindenmeyer Prize for the Novel",
    "Greyfriars Book Award",
    "Harbour Lights Literary Prize",
]
MUSIC_PRIZES = ["Silverstring Music Prize", "Independent Album of the Year award", "Nordic Sound Award"]
ARCH_AWARDS = [
    "Corvid Prize for Architecture",
    "Stone & Light Award",
    "Urban Fabric Medal",
    "Tessera Architecture Prize",
]
FILM_AWARDS = ["Golden Reel Award", "Critics' Circle Prize for Direction", "Lumen Award for Best Debut"]
FOOD_FESTIVALS = ["Taste of the Coast festival", "Open Kitchen Week", "Harvest Table Festival"]
FOUNDATIONS = [
    "Halden Science Foundation",
    "Arbor Research Trust",
    "Fenner Foundation",
    "Northern Futures Fund",
    "Copland Institute for Public Health",
]
FILM_SCHOOLS = [
    "Ashbury Film School",
    "Northern Academy of Film and Television",
    "Kessling Film Institute",
    "Marlpit School of Cinema",
    "Aventa Film Academy",
    "Coldwater School of Film",
]
CULINARY_SCHOOLS = [
    "Ferrault Culinary Institute",
    "Maison Berrin Cooking School",
    "Hallam Hotel School",
    "Linsey Culinary Academy",
    "Castelbrun School of Gastronomy",
]
JOURNALS = [
    "Journal of Applied Computation",
    "Annals of Environmental Modelling",
    "Transactions on Learning Systems",
    "Letters in Computational Biology",
    "Review of Earth Observation",
    "Quarterly Review of Signal Processing",
]

# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------


def toks(s: str) -> tuple:
    return tuple(re.findall(r"[\w&]+", s.lower()))


class Registry:
    """Every named entity's full name, unique, and never inside another name (as whole words) nor containing a
    real city or country name."""

    def __init__(self, reserved):
        self.names: set = set()
        self.grams: set = set()
        self.reserved = {toks(r) for r in reserved}

    def ok(self, name: str) -> bool:
        t = toks(name)
        if not t or t in self.grams:
            return False
        for i in range(len(t)):
            for j in range(i + 1, len(t) + 1):
                if t[i:j] in self.names or t[i:j] in self.reserved:
                    return False
        return True

    def add(self, name: str) -> None:
        t = toks(name)
        self.names.add(t)
        for i in range(len(t)):
            for j in range(i + 1, len(t) + 1):
                self.grams.add(t[i:j])


REG = Registry(CITY_NAMES + COUNTRIES)
HUBS = (
    FESTIVALS
    + CONFERENCES
    + BOOK_PRIZES
    + MUSIC_PRIZES
    + ARCH_AWARDS
    + FILM_AWARDS
    + FOUNDATIONS
    + JOURNALS
    + FILM_SCHOOLS
    + CULINARY_SCHOOLS
)
for fixed in HUBS:
    REG.add(fixed)

_used_words: set = set()
_used_orgsur: set = set()


def pseudo(n: int | None = None) -> str:
    while True:
        k = n or rng.choice([2, 2, 3])
        parts = [rng.choice(SYL) for _ in range(k)]
        w = "".join(parts)
        if len(set(parts)) == k and not re.search(r"[aeiouy]{3}", w) and 5 <= len(w) <= 10:
            return w.capitalize()


def take(pool: list, used: set) -> str:
    free = [w for w in pool if w not in used]
    if not free:
        return pseudo()
    w = rng.choice(free)
    used.add(w)
    return w


def word() -> str:
    return take(WORDS, _used_words)


def orgsur() -> str:
    if all(w in _used_orgsur for w in ORG_SURNAMES):
        return pseudo(2) + rng.choice(["ton", "ley", "worth", "field", "by", "more", "wick", "ham"])
    return take(ORG_SURNAMES, _used_orgsur)


def one_of(*makers) -> str:
    return rng.choice(makers)()


def unique(make) -> str:
    for _ in range(5000):
        name = make()
        if REG.ok(name):
            REG.add(name)
            return name
    raise RuntimeError("name pool exhausted")


def person(g: str | None = None) -> E:
    g = g or rng.choice("FM")
    for _ in range(5000):
        first = rng.choice(FIRST_F if g == "F" else FIRST_M)
        last = rng.choice(LAST)
        name = f"{first} {last}"
        if REG.ok(name):
            REG.add(name)
            return E(name=name, first=first, last=last, g=g, secrets=[])
    raise RuntimeError("person pool exhausted")


def pron(p: E) -> dict:
    if p.g == "F":
        return dict(P="She", p="she", Poss="Her", poss="her", obj="her")
    return dict(P="He", p="he", Poss="His", poss="his", obj="him")


def art(phrase: str) -> str:
    vowel = phrase[0].lower() in "aeiou" and not phrase.startswith(("UX", "uni", "Eu"))
    vowel = vowel or phrase.startswith(("8", "11", "18"))
    return ("an " if vowel else "a ") + phrase


def pick_city(avoid=()) -> str:
    while True:
        c = rng.choice(CITY_NAMES)
        if c not in avoid:
            return c


def cities(n: int, avoid=()) -> list:
    out: list = []
    while len(out) < n:
        c = pick_city(set(avoid) | set(out))
        out.append(c)
    return out


def year(a: int, b: int, avoid=()) -> int:
    while True:
        y = rng.randint(a, b)
        if str(y) not in {str(v) for v in avoid}:
            return y


def date_str(y: int) -> str:
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {y}"


def has(text: str, s: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(s) + r"(?!\w)", text) is not None


def cap(s: str) -> str:
    return s[0].upper() + s[1:] if s and s[0].isalpha() else s


def plural(noun: str) -> str:
    if noun.endswith("man"):
        return noun[:-3] + "men"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    return noun + "s"


def poss(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def compose(d: dict, intros: list, req: dict, opt: dict, lo: int = 2, hi: int = 6) -> tuple:
    """A text: an opening sentence (which may already state some facts), the required facts it did not state,
    a few optional details, in shuffled order. Templates are strings or (string, facts it also states)."""

    def split(t):
        return (t, ()) if isinstance(t, str) else t

    tpl, covers = split(rng.choice(intros))
    covered = set(covers)
    body = []
    for key in req:
        if key not in covered:
            t, c = split(rng.choice(req[key]))
            body.append(t)
            covered.add(key)
            covered.update(c)
    keys = [k for k in opt if k not in covered]
    base = 1 + len(body)
    kmin, kmax = max(0, lo - base), max(0, min(len(keys), hi - base))
    n = rng.choice([k for k in range(kmin, kmax + 1) for _ in range(1 + (1 <= k <= 3))]) if kmax >= kmin else 0
    for key in rng.sample(keys, n):
        if key in covered:
            continue
        t, c = split(rng.choice(opt[key]))
        body.append(t)
        covered.add(key)
        covered.update(c)
    rng.shuffle(body)
    sentences = [cap(s.format(**d)) for s in [tpl] + body]
    return " ".join(sentences), len(sentences)


# ---------------------------------------------------------------------------------------------------------------
# Documents and questions
# ---------------------------------------------------------------------------------------------------------------

DOCS: list = []
QUESTIONS: list = []


def add_doc(chain: str, role: str, build, mentions=(), profile_of=None, tries: int = 400) -> dict:
    """build() -> (title, content, n_sentences). Rebuilt until the text reveals no secret of an entity it
    mentions (a secret is an answer-bearing fact, stated only in that entity's own profile)."""
    for _ in range(tries):
        title, content, n = build()
        text = title + "\n" + content
        bad = False
        for e in mentions:
            if e is profile_of:
                continue
            for s in e.secrets:
                if has(text, s):
                    bad = True
        if not bad:
            doc = dict(
                title=title, content=content, chain=chain, role=role, n_sent=n, mentions=[e.name for e in mentions]
            )
            DOCS.append(doc)
            return doc
    raise RuntimeError(f"could not build a {chain}/{role} document")


def split_subjects(bridges: list, nq: int) -> list:
    """One subject per bridge, then the remaining (shared) ones on distinct random bridges."""
    extra = rng.sample(bridges, nq - len(bridges))
    return list(bridges) + extra


# ---------------------------------------------------------------------------------------------------------------
# Chains
# ---------------------------------------------------------------------------------------------------------------
# Each chain returns nothing; it appends documents and questions. Question dicts carry the doc objects; ids are
# assigned at the end.


def question(chain, templates, subject, answer, doc_a, doc_b, bridge, k):
    subject = dict(subject, Sp=poss(subject["S"]))
    QUESTIONS.append(
        dict(
            chain=chain,
            question=templates[k % len(templates)].format(**subject),
            answer=answer,
            a=doc_a,
            b=doc_b,
            bridge=bridge,
            subject=subject["S"],
        )
    )


# --- tech companies: person -> employer -> HQ city; product -> maker -> founder --------------------------------

SECTORS = [
    (
        "data analytics",
        "analytics software for retailers and insurers",
        ["Analytics", "Data"],
        ["demand-forecasting platform", "analytics dashboard"],
    ),
    (
        "logistics software",
        "route-planning tools for freight operators",
        ["Logistics", "Freight"],
        ["fleet-tracking app", "route planner"],
    ),
    (
        "robotics",
        "autonomous robots for warehouses",
        ["Robotics", "Automation"],
        ["warehouse robot", "robotic picking arm"],
    ),
    (
        "cybersecurity",
        "intrusion-detection software",
        ["Security", "Cyber"],
        ["firewall appliance", "password manager"],
    ),
    (
        "payments",
        "payment infrastructure for small businesses",
        ["Payments", "Pay"],
        ["card terminal", "invoicing app"],
    ),
    (
        "consumer electronics",
        "smart-home devices",
        ["Electronics", "Devices"],
        ["smart thermostat", "wireless speaker", "video doorbell"],
    ),
    (
        "energy storage",
        "battery systems for homes and businesses",
        ["Energy", "Power"],
        ["home battery", "solar inverter"],
    ),
    (
        "agritech",
        "sensor networks for farms",
        ["Agritech", "Farm Systems"],
        ["soil-moisture sensor", "irrigation controller"],
    ),
    (
        "education technology",
        "language-learning apps",
        ["Learning", "Education"],
        ["language-learning app", "classroom tablet"],
    ),
    (
        "geospatial",
        "software for analysing satellite imagery",
        ["Geospatial", "Mapping"],
        ["mapping drone", "terrain-analysis platform"],
    ),
    (
        "audio technology",
        "headphones and studio monitors",
        ["Audio", "Acoustics"],
        ["pair of noise-cancelling headphones", "studio monitor"],
    ),
    (
        "industrial software",
        "monitoring equipment for factories",
        ["Systems", "Industrial"],
        ["vibration sensor", "machine-monitoring platform"],
    ),
    (
        "micromobility",
        "electric scooters and cargo bikes",
        ["Mobility", "Motors"],
        ["electric scooter", "cargo e-bike"],
    ),
    ("health technology", "wearable health monitors", ["Health", "Medical"], ["fitness tracker", "sleep monitor"]),
    ("software", "project-management software", ["Software", "Labs"], ["team chat app", "planning tool"]),
]
ROLES = [
    "data engineer",
    "product manager",
    "software developer",
    "head of marketing",
    "UX designer",
    "financial controller",
    "sales director",
    "research scientist",
    "hardware engineer",
    "operations manager",
    "legal counsel",
    "quality engineer",
    "customer success lead",
    "security analyst",
]
FIELDS = [
    "computer science",
    "economics",
    "mechanical engineering",
    "physics",
    "mathematics",
    "graphic design",
    "law",
    "chemistry",
    "linguistics",
    "business administration",
    "electrical engineering",
    "statistics",
]
HOBBIES = [
    "runs marathons",
    "plays cello in an amateur orchestra",
    "volunteers at a coding club for teenagers",
    "writes a blog about urban cycling",
    "restores old sailing boats",
    "coaches a youth football team",
    "keeps bees",
    "climbs",
]


def new_company() -> E:
    sector, offer, suffixes, products = rng.choice(SECTORS)
    if rng.random() < 0.15:
        name = unique(lambda: pseudo())
    else:
        name = unique(lambda: f"{word()} {rng.choice(suffixes)}")
    hq = pick_city()
    founded = rng.randint(1988, 2018)
    founder, ceo = person(), person()
    c = E(
        name=name,
        sector=sector,
        offer=offer,
        products=products,
        hq=hq,
        founded=founded,
        founder=founder,
        ceo=ceo,
        ceo_year=rng.randint(max(founded + 1, 2008), 2023),
    )
    c.secrets = [hq, founder.name]
    return c


def company_profile(c: E):
    def build():
        others = cities(2, avoid=[c.hq])
        d = dict(
            C=c.name,
            sector=c.sector,
            offer=c.offer,
            city=c.hq,
            year=c.founded,
            founder=c.founder.name,
            ceo=c.ceo.name,
            cy=c.ceo_year,
            n=f"{rng.randint(4, 90) * 10:,}",
            c2=others[0],
            c3=others[1],
            fy=rng.randint(max(c.founded + 1, 2010), 2023),
            amt=rng.randint(4, 120),
            val=rng.randint(3, 90) * 10,
            a_sector=art(c.sector),
            prev=rng.choice(
                ["banking", "academic research", "a large carmaker", "management consulting", "the civil service"]
            ),
        )
        intros = [
            ("{C} is {a_sector} company headquartered in {city}.", ("hq",)),
            ("{C} is {a_sector} company that makes {offer}.", ("offer",)),
            ("Founded in {year} by {founder}, {C} develops {offer}.", ("founder", "offer")),
            ("{C} is {a_sector} firm based in {city}, founded by {founder} in {year}.", ("hq", "founder")),
            ("{C}, a maker of {offer}, has its headquarters in {city}.", ("hq", "offer")),
        ]
        req = {
            "hq": [
                "The company is headquartered in {city}.",
                "Its headquarters are in {city}, where about {n} people work.",
                "{C} is based in {city}.",
                "The firm's head office is in {city}.",
            ],
            "founder": [
                "It was founded in {year} by {founder}.",
                "{founder} started the company in {year} after a career in {prev}.",
                "The business was set up in {year} by {founder}, who still sits on its board.",
                "{founder} founded it in {year}.",
            ],
        }
        opt = {
            "ceo": [
                "Since {cy}, it has been led by chief executive {ceo}.",
                "Its current CEO is {ceo}.",
                "{ceo} became chief executive in {cy}.",
            ],
            "offices": ["It also runs offices in {c2} and {c3}.", "The company has smaller sites in {c2} and {c3}."],
            "offer": ["It makes {offer}.", "Its main business is {offer}."],
            "funding": [
                "In {fy}, it raised {amt} million euros from investors.",
                "A funding round in {fy} valued it at about {val} million euros.",
            ],
        }
        text, n = compose(d, intros, req, opt)
        return c.name, text, n

    return add_doc("tech", "profile", build, [c], profile_of=c)


def employee_doc(x: E, c: E, prev: E, univ: E, chain="employee"):
    pr = pron(x)

    def build():
        d = dict(
            X=x.name,
            last=x.last,
            C=c.name,
            C2=prev.name,
            U=univ.name,
            role=rng.choice(ROLES),
            year=rng.randint(max(2008, c.founded + 1), 2023),
            field=rng.choice(FIELDS),
            city=pick_city(),
            n=rng.randint(2, 9),
            conf=rng.choice(CONFERENCES),
            ty=rng.randint(2015, 2024),
            topic=rng.choice(
                [
                    "data privacy",
                    "remote teams",
                    "hardware prototyping",
                    "pricing",
                    "open-source tooling",
                    "accessibility",
                ]
            ),
            hobby=rng.choice(HOBBIES),
            **pr,
        )
        d["a_role"] = art(d["role"])
        intros = [
            ("{X} is {a_role} at {C}.", ("emp",)),
            ("{X} works as {a_role} for {C}.", ("emp",)),
            ("{X} is {a_role} who lives in {city}.", ("live",)),
            ("{X} studied {field} at {U}.", ("edu",)),
            ("{X} has worked in the technology industry for more than {n} years.", ()),
        ]
        req = {
            "emp": [
                "{P} joined {C} as {a_role} in {year}.",
                "Since {year}, {p} has worked at {C}.",
                "{Poss} current employer is {C}, which {p} joined in {year}.",
                "Today {p} works for {C}, where {p} leads a small team.",
                "In {year}, {last} moved to {C}, where {p} is now {a_role}.",
            ]
        }
        opt = {
            "edu": [
                "{P} studied {field} at {U}.",
                "{P} earned a degree in {field} from {U}.",
                "{P} holds a master's degree from {U}.",
            ],
            "prev": [
                "Earlier in {poss} career, {p} spent {n} years at {C2}.",
                "{P} previously worked at {C2}.",
                "{Poss} first job was at {C2}.",
            ],
            "live": ["{P} lives in {city} with {poss} family.", "{P} is based in {city}."],
            "talk": ["In {ty}, {p} gave a talk on {topic} at the {conf}."],
            "hobby": ["Outside work, {p} {hobby}."],
        }
        text, n = compose(d, intros, req, opt)
        return x.name, text, n

    return add_doc(chain, "hop1", build, [x, c, prev, univ])


def product_doc(pname: str, ptype: str, c: E, partner: E):
    def build():
        y = rng.randint(max(c.founded + 1, 2010), 2023)
        software = any(w in ptype for w in ("app", "platform", "tool", "planner", "manager"))
        d = dict(
            prod=pname,
            C=c.name,
            Cposs=poss(c.name),
            C3=partner.name,
            year=y,
            ptype=ptype,
            a_ptype=art(ptype),
            price=f"{rng.choice([49, 79, 129, 199, 249, 399, 599, 1299])} euros",
            city=pick_city(),
            feature=rng.choice(
                ["interface", "reliability", "low price", "offline mode", "integrations"]
                if software
                else ["battery life", "simple set-up", "build quality", "low price", "quiet operation", "companion app"]
            ),
            y2=rng.randint(2025, 2026),
            units="paying customers" if software else "units",
            n=f"{rng.randint(20, 900) * 1000:,}",
            y3=rng.randint(y + 1, 2024),
        )
        intros = [
            ("The {prod} is {a_ptype} made by {C}.", ("maker",)),
            ("The {prod} is {a_ptype} that went on sale in {year}.", ("release",)),
            ("{C} released the {prod}, {a_ptype}, in {year}.", ("maker", "release")),
            ("Launched in {year}, the {prod} is {Cposs} best-selling {ptype}.", ("maker", "release")),
        ]
        req = {
            "maker": [
                "It is designed and sold by {C}.",
                "It is made by {C}.",
                "The product comes from {C}.",
                "{C} spent three years developing it.",
            ]
        }
        opt = {
            "release": ["It went on sale in {year} at a price of {price}.", "It was first released in {year}."],
            "feature": ["Reviewers praised its {feature}.", "Its main selling point is its {feature}."],
            "manuf": [
                "Assembly is handled by {C3} at a plant in {city}.",
                "It is manufactured under contract by {C3}.",
            ],
            "successor": ["A successor version is expected in {y2}."],
            "sales": ["It had more than {n} {units} by {y3}."],
        }
        text, n = compose(d, intros, req, opt)
        return pname, text, n

    return add_doc("product", "hop1", build, [c, partner])


def tech_news_doc(c: E, other: E):
    def build():
        y = rng.randint(2019, 2024)
        spk = person()
        d = dict(
            C=c.name,
            C2=other.name,
            date=date_str(y),
            spk=spk.name,
            n=rng.randint(40, 400),
            city=pick_city(),
            amt=rng.randint(5, 200),
            pct=rng.randint(2, 15),
            y2=y + 1,
            month=rng.choice(MONTHS),
        )
        kind = rng.randrange(4)
        if kind == 0:
            head = "{C} to take stake in {C2}"
            intros = [
                "{C} announced on {date} that it would buy a minority stake in {C2}.",
                "On {date}, {C} said it had agreed to acquire a stake in {C2}.",
            ]
            opt = {
                "s": ["A spokesperson, {spk}, said the deal would help it reach new customers."],
                "v": ["The transaction is worth about {amt} million euros."],
                "t": ["Both companies expect it to close by {month} {y2}."],
            }
        elif kind == 1:
            head = "{C} opens research centre"
            intros = [
                "{C} opened a new research centre in {city} on {date}.",
                "On {date}, {C} said it would open a research centre in {city}.",
            ]
            opt = {
                "s": ["The site will employ about {n} engineers, according to spokesperson {spk}."],
                "p": ["It will work with {C2} on shared components."],
                "v": ["The investment is put at {amt} million euros."],
            }
        elif kind == 2:
            head = "{C} cuts jobs"
            intros = [
                "{C} said on {date} that it would cut about {n} jobs.",
                "On {date}, {C} announced a restructuring that will remove some {n} positions.",
            ]
            opt = {
                "s": ["{spk}, a spokesperson, blamed weaker demand from {C2} and other large customers."],
                "v": ["The company expects savings of {amt} million euros a year."],
                "t": ["The cuts will be completed by {month} {y2}."],
            }
        else:
            head = "{C} and {C2} sign partnership"
            intros = [
                "{C} and {C2} announced a partnership on {date}.",
                "On {date}, {C} signed a supply agreement with {C2}.",
            ]
            opt = {
                "s": ["{spk}, who speaks for {C}, called it the largest contract in its history."],
                "v": ["The agreement runs for {pct} years."],
                "c": ["The two firms will share a testing site in {city}."],
            }
        text, n = compose(d, intros, {}, opt, lo=2, hi=4)
        return head.format(**d), text, n

    return add_doc("tech", "news", build, [c, other])


# --- universities (bridge of alumnus questions; incidental everywhere else) -----------------------------------

UNI_POOL: list = []
ARCH_POOL: list = []


def new_university(kind: str = "any") -> E:
    pats = [
        lambda: f"{orgsur()} University",
        lambda: f"{orgsur()} Institute of Technology",
        lambda: f"{word()} University",
        lambda: f"{orgsur()} College",
    ]
    if kind == "arch":
        pats += [
            lambda: f"{orgsur()} School of Architecture",
            lambda: f"{orgsur()} Academy of Fine Arts",
            lambda: f"{orgsur()} Polytechnic",
        ]
    name = unique(rng.choice(pats))
    u = E(
        name=name,
        city=pick_city(),
        founded=rng.randint(1450, 1995),
        rector=person(),
        students=f"{rng.randint(3, 45) * 1000:,}",
        utype=rng.choice(["public research", "technical", "private", "public", "small liberal-arts"]),
    )
    u.secrets = [u.city]
    return u


def university_profile(u: E):
    def build():
        d = dict(
            U=u.name,
            city=u.city,
            fy=u.founded,
            n=u.students,
            rector=u.rector.name,
            a_utype=art(u.utype),
            k=rng.randint(3, 11),
            fac=rng.choice(["engineering", "medicine", "law", "humanities", "economics"]),
        )
        intros = [
            ("{U} is {a_utype} university in {city}.", ("city",)),
            ("{U} is {a_utype} university founded in {fy}.", ("founded",)),
            ("Founded in {fy}, {U} is located in {city}.", ("city", "founded")),
        ]
        req = {
            "city": [
                "It is located in {city}.",
                "Its campus is in {city}.",
                "The university is based in {city}.",
                "Its main buildings stand in the centre of {city}.",
            ]
        }
        opt = {
            "founded": ["It was founded in {fy}.", "The university dates from {fy}."],
            "students": ["It has about {n} students."],
            "rector": ["Its rector is {rector}.", "It is headed by {rector}."],
            "fac": ["It has {k} faculties, the largest being {fac}."],
        }
        text, n = compose(d, intros, req, opt)
        return u.name, text, n

    return add_doc("alumnus", "profile", build, [u], profile_of=u)


def alumnus_doc(x: E, u: E, employer: E):
    pr = pron(x)

    def build():
        d = dict(
            X=x.name,
            U=u.name,
            C=employer.name,
            gy=rng.randint(1985, 2020),
            field=rng.choice(FIELDS),
            city=pick_city(),
            n=rng.randint(2, 6),
            ay=rng.randint(max(2005, employer.founded + 1), 2024),
            **pr,
            job=rng.choice(
                [
                    "journalist",
                    "civil engineer",
                    "economist",
                    "translator",
                    "urban planner",
                    "patent attorney",
                    "science writer",
                    "diplomat",
                    "statistician",
                    "pharmacist",
                ]
            ),
            topic=rng.choice(
                [
                    "housing policy",
                    "water management",
                    "public debt",
                    "migration",
                    "the history of science",
                    "energy prices",
                ]
            ),
            award=rng.choice(["Young Professional Award", "Hollis Medal for Public Service", "Sandgate Writing Prize"]),
        )
        d["a_job"] = art(d["job"])
        intros = [
            ("{X} is {a_job} who graduated from {U} in {gy}.", ("grad",)),
            ("{X} is {a_job} whose work focuses on {topic}.", ("topic",)),
            ("{X} studied {field} at {U}.", ("grad",)),
        ]
        req = {
            "grad": [
                "{P} graduated from {U} in {gy}.",
                "{P} earned a degree in {field} from {U}.",
                "{P} studied {field} at {U} before starting {poss} career.",
                "{P} is a {gy} graduate of {U}.",
            ]
        }
        opt = {
            "work": ["{P} now works at {C}.", "Since {ay}, {p} has been employed by {C}."],
            "live": ["{P} lives in {city}.", "{P} is based in {city}."],
            "topic": ["{P} has written {n} books on {topic}."],
            "award": ["In {ay}, {p} received the {award}."],
        }
        text, n = compose(d, intros, req, opt)
        return x.name, text, n

    return add_doc("alumnus", "hop1", build, [x, u, employer])


def university_news_doc(u: E):
    def build():
        y = rng.randint(2018, 2024)
        dean = person()
        d = dict(
            U=u.name,
            y=y,
            dean=dean.name,
            n=rng.randint(20, 200),
            f=rng.choice(FIELDS),
            fund=rng.choice(FOUNDATIONS),
            amt=rng.randint(2, 40),
        )
        if rng.random() < 0.5:
            intros = ["{U} will open a new master's programme in {f} in {y}."]
            opt = {
                "a": ["The programme will admit about {n} students a year, said {dean}, who will lead it."],
                "c": ["Applications open in the spring."],
            }
        else:
            intros = ["{U} has received a grant of {amt} million euros from the {fund}."]
            opt = {
                "b": ["{dean}, the dean responsible, said the money would fund new laboratories."],
                "c": ["The grant runs until {y2}."],
            }
        d["y2"] = y + rng.randint(3, 6)
        text, n = compose(d, intros, {}, opt, lo=2, hi=3)
        return f"{u.name} news ({y})", text, n

    return add_doc("alumnus", "news", build, [u])


# --- film -> director -> birthplace --------------------------------------------------------------------------

GENRES = [
    "drama",
    "thriller",
    "comedy-drama",
    "documentary",
    "crime drama",
    "science-fiction film",
    "romantic comedy",
    "period drama",
    "road movie",
    "psychological thriller",
    "coming-of-age drama",
]
PLOTS = [
    "returns to her childhood village",
    "tries to keep a failing cinema open",
    "crosses the country on foot",
    "investigates a series of thefts",
    "inherits a ruined hotel",
    "must testify against his brother",
    "falls for a rival chess player",
    "rebuilds a fishing boat with his father",
]
CHAR_JOBS = [
    "ferry pilot",
    "retired judge",
    "night nurse",
    "piano tuner",
    "young detective",
    "widowed farmer",
    "bus driver",
    "schoolteacher",
]


def title(kind: str) -> str:
    pats = [
        lambda: f"The {rng.choice(TITLE_ADJ)} {rng.choice(TITLE_NOUNS)}",
        lambda: f"{rng.choice(TITLE_NOUNS)} of {rng.choice(TITLE_ABSTRACT)}",
        lambda: f"A {rng.choice(TITLE_NOUNS)} in {rng.choice(['Winter', 'Spring', 'August', 'November', 'Rain'])}",
        lambda: f"{rng.choice(TITLE_ADJ)} {plural(rng.choice(TITLE_NOUNS))}",
        lambda: f"The Last {rng.choice(TITLE_NOUNS)}",
        lambda: " and ".join(rng.sample(TITLE_ABSTRACT, 2)),
    ]
    if kind == "painting":
        pats = [
            lambda: f"Portrait of a {rng.choice(PAINT_SUBJECTS)}",
            lambda: f"{rng.choice(TITLE_NOUNS)} at {rng.choice(['Dusk', 'Dawn', 'Noon', 'Low Tide', 'Night'])}",
            lambda: f"The {rng.choice(PAINT_SUBJECTS)}",
            lambda: (
                f"{rng.choice(TITLE_ADJ)} {rng.choice(TITLE_NOUNS)} with {rng.choice(['Figures', 'Boats', 'Cattle', 'Lanterns'])}"
            ),
        ]
    if kind == "paper":
        pats = [
            lambda: f"{rng.choice(PAPER_ADJ)} {rng.choice(PAPER_METHOD)} for {rng.choice(PAPER_TASK)}",
            lambda: f"On the Limits of {rng.choice(PAPER_METHOD)} in {rng.choice(PAPER_TASK)}",
            lambda: f"Towards {rng.choice(PAPER_ADJ)} {rng.choice(PAPER_TASK)}",
            lambda: f"Revisiting {rng.choice(PAPER_METHOD)} for {rng.choice(PAPER_TASK)}",
            lambda: f"{rng.choice(PAPER_METHOD)} at Scale: Lessons from {rng.choice(PAPER_TASK)}",
            lambda: f"A Benchmark for {rng.choice(PAPER_TASK)} with {rng.choice(PAPER_ADJ)} {rng.choice(PAPER_METHOD)}",
        ]
    return unique(rng.choice(pats))


def new_director() -> E:
    p = person()
    p.bcity, p.gcity, p.lcity = cities(3)
    p.byear = rng.randint(1948, 1992)
    p.school = rng.choice(FILM_SCHOOLS)
    p.debut = title("film")
    p.secrets = [p.bcity]
    return p


def director_profile(dr: E):
    pr = pron(dr)

    def build():
        d = dict(
            D=dr.name,
            bcity=dr.bcity,
            gcity=dr.gcity,
            lcity=dr.lcity,
            by=dr.byear,
            school=dr.school,
            debut=dr.debut,
            dy=dr.byear + rng.randint(24, 32),
            gy=dr.byear + rng.randint(21, 25),
            award=rng.choice(FILM_AWARDS),
            ay=rng.randint(dr.byear + 30, 2024),
            **pr,
            style=rng.choice(
                [
                    "quiet, character-driven dramas",
                    "long unbroken takes",
                    "tense political thrillers",
                    "documentaries about work and labour",
                    "darkly comic family stories",
                ]
            ),
        )
        intros = [
            ("{D} is a film director born in {bcity} in {by}.", ("birth",)),
            ("{D} (born {by}) is a director and screenwriter.", ()),
            ("Born in {bcity} in {by}, {D} is known for {style}.", ("birth", "style")),
            ("{D} is a filmmaker who studied at the {school}.", ("school",)),
        ]
        req = {
            "birth": [
                "{P} was born in {bcity}.",
                ("{P} was born in {bcity} and grew up in {gcity}.", ("grew",)),
                ("A native of {bcity}, {p} moved to {gcity} as a teenager.", ("grew",)),
                "{Poss} birthplace is {bcity}.",
            ]
        }
        opt = {
            "school": ["{P} studied film at the {school}.", "{P} trained at the {school}, graduating in {gy}."],
            "debut": ["{Poss} debut feature, '{debut}', premiered in {dy}."],
            "award": ["{P} won the {award} in {ay}."],
            "lives": ["{P} now lives in {lcity}.", "{P} has lived in {lcity} since the early 2010s."],
            "grew": ["{P} spent most of {poss} childhood in {gcity}."],
            "style": ["{P} is known for {style}."],
        }
        text, n = compose(d, intros, req, opt)
        return dr.name, text, n

    return add_doc("film", "profile", build, [dr], profile_of=dr)


def film_doc(f: str, dr: E, studio: str):
    def build():
        y = rng.randint(max(dr.byear + 24, 1990), 2024)
        a1, a2, w = person(), person(), person()
        d = dict(
            F=f,
            D=dr.name,
            year=y,
            genre=rng.choice(GENRES),
            actor1=a1.name,
            actor2=a2.name,
            writer=w.name,
            studio=studio,
            city=pick_city(),
            fest=rng.choice(FESTIVALS),
            fy=y,
            n=rng.randint(84, 164),
            wk=rng.randint(5, 14),
            job=rng.choice(CHAR_JOBS),
            plot=rng.choice(PLOTS),
            q=rng.choice(["performances", "cinematography", "score", "restraint", "dialogue"]),
        )
        d["a_genre"] = art(d["genre"])
        d["a_year_genre"] = art(f"{y} {d['genre']}")
        intros = [
            ("'{F}' is {a_year_genre} directed by {D}.", ("dir",)),
            ("'{F}' is {a_genre} released in {year}.", ()),
            ("Directed by {D}, '{F}' ({year}) stars {actor1} and {actor2}.", ("dir", "cast")),
            ("'{F}' is {a_genre} starring {actor1} as a {job} who {plot}.", ("cast", "plot")),
        ]
        req = {
            "dir": [
                "It was directed by {D}.",
                ("{D} directed the film from a screenplay by {writer}.", ("writer",)),
                ("The film was directed by {D} and produced by {studio}.", ("studio",)),
                "Its director is {D}.",
            ]
        }
        opt = {
            "cast": ["It stars {actor1} and {actor2}.", "The cast includes {actor1} and {actor2}."],
            "shoot": ["It was shot on location in {city}.", "Filming took place in {city} over {wk} weeks."],
            "fest": ["The film premiered at the {fest} in {fy}."],
            "writer": ["The screenplay was written by {writer}."],
            "studio": ["It was produced by {studio}."],
            "runtime": ["It runs {n} minutes."],
            "plot": ["The story follows a {job} who {plot}."],
            "rec": ["Critics praised its {q}."],
        }
        text, n = compose(d, intros, req, opt)
        return f"{f} (film)", text, n

    return add_doc("film", "hop1", build, [dr])


def film_extra_doc(dr: E):
    pr = pron(dr)

    def build():
        y = rng.randint(2019, 2024)
        new = title("film")
        d = dict(
            D=dr.name,
            last=dr.last,
            fest=rng.choice(FESTIVALS),
            city=pick_city(),
            y=y,
            new=new,
            **pr,
            n=rng.randint(5, 14),
            venue=unique(lambda: f"{word()} Cinematheque"),
        )
        if rng.random() < 0.5:
            head = f"Retrospective: {dr.name}"
            intros = ["A retrospective of {D}'s films opens at the {venue} in {city} in {y}."]
            opt = {
                "a": ["It will show {n} features, including the new '{new}'."],
                "b": ["{last} will introduce several of the screenings in person."],
            }
        else:
            head = f"{d['fest']} line-up ({y})"
            intros = ["The {fest} has announced its {y} programme, headed by '{new}', the new film from {D}."]
            opt = {"a": ["The festival runs for {n} days."], "b": ["{last} is expected to attend the premiere."]}
        text, n = compose(d, intros, {}, opt, lo=2, hi=3)
        return head, text, n

    return add_doc("film", "news", build, [dr])


# --- book -> publisher -> founding year ---------------------------------------------------------------------


def new_publisher() -> E:
    pats = [
        lambda: f"{orgsur()} & {orgsur()} Publishing",
        lambda: f"{word()} Press",
        lambda: f"{orgsur()} House",
        lambda: f"{word()} Books",
        lambda: f"{orgsur()} & Sons",
    ]
    name = unique(rng.choice(pats))
    pub = E(
        name=name,
        founded=rng.randint(1838, 1992),
        city=pick_city(),
        founders=[person(), person()],
        group=unique(lambda: f"{word()} Media Group"),
        ptype=rng.choice(["literary", "independent", "general-interest", "academic", "crime and thriller"]),
    )
    pub.secrets = [str(pub.founded)]
    return pub


def publisher_profile(pub: E):
    def build():
        f1, f2 = pub.founders
        founders = f1.name if "&" not in pub.name else f"{f1.name} and {f2.name}"
        d = dict(
            Pub=pub.name,
            year=pub.founded,
            city=pub.city,
            founders=founders,
            a_ptype=art(pub.ptype),
            group=pub.group,
            oy=year(max(pub.founded + 20, 1960), 2022, [pub.founded]),
            n=rng.randint(12, 140),
            my=year(pub.founded + 5, 2020, [pub.founded]),
            prize=rng.choice(BOOK_PRIZES),
            k=rng.randint(2, 7),
            lst=rng.choice(
                [
                    "literary fiction and essays",
                    "crime novels",
                    "poetry and translated fiction",
                    "history and biography",
                    "children's books",
                ]
            ),
        )
        intros = [
            ("{Pub} is {a_ptype} publisher founded in {year}.", ("founded",)),
            ("{Pub} is a publishing house based in {city}.", ("city",)),
            ("Founded in {city} in {year}, {Pub} publishes {lst}.", ("founded", "city", "lst")),
            ("{Pub} publishes {lst}.", ("lst",)),
        ]
        req = {
            "founded": [
                "It was founded in {year} by {founders}.",
                "The house was established in {year}.",
                "{founders} set up the firm in {year}.",
                "Its first list appeared in {year}, the year the firm was founded.",
            ]
        }
        opt = {
            "city": ["It is based in {city}.", "Its offices are in {city}."],
            "owner": ["Since {oy}, it has been part of {group}.", "{group} acquired it in {oy}."],
            "volume": ["It publishes around {n} new titles a year."],
            "prize": ["Its authors have won the {prize} {k} times."],
            "move": ["The company moved to new premises in {my}."],
            "lst": ["Its list focuses on {lst}."],
        }
        text, n = compose(d, intros, req, opt)
        return pub.name, text, n

    return add_doc("book", "profile", build, [pub], profile_of=pub)


def book_doc(b: str, pub: E, author: E):
    def build():
        y = year(max(pub.founded + 1, 1950, author.byear + 22), 2024, [pub.founded])
        d = dict(
            B=b,
            Pub=pub.name,
            author=author.name,
            year=y,
            ordn=rng.choice(ORD[:4]),
            genre=rng.choice(
                [
                    "novel",
                    "short-story collection",
                    "crime novel",
                    "memoir",
                    "historical novel",
                    "essay collection",
                    "novella",
                ]
            ),
            prize=rng.choice(BOOK_PRIZES),
            py=year(y, min(y + 2, 2024), [pub.founded]),
            char=rng.choice(FIRST_F + FIRST_M),
            job=rng.choice(CHAR_JOBS),
            city=pick_city(),
            n=rng.randint(4, 31),
            ay=year(min(y + 1, 2024), 2024, [pub.founded]),
            copies=f"{rng.randint(10, 400) * 1000:,}",
        )
        d["a_genre"] = art(d["genre"])
        d["a_year_genre"] = art(f"{y} {d['genre']}")
        intros = [
            ("'{B}' is {a_genre} by {author}, published in {year} by {Pub}.", ("pub",)),
            ("'{B}' is {a_year_genre} by {author}.", ()),
            ("{author}'s {genre} '{B}' was published by {Pub} in {year}.", ("pub",)),
            ("First published in {year}, '{B}' is the {ordn} book by {author}.", ()),
        ]
        req = {
            "pub": [
                "It was published by {Pub}.",
                "{Pub} brought it out in {year}.",
                "The book's publisher is {Pub}.",
                "It appeared under the {Pub} imprint.",
            ]
        }
        opt = {
            "plot": ["The story follows {char}, a {job} in {city}.", "It is narrated by {char}, a {job}."],
            "prize": ["It won the {prize} in {py}.", "It was shortlisted for the {prize}."],
            "transl": ["It has been translated into {n} languages."],
            "adapt": ["A film adaptation was announced in {ay}."],
            "sales": ["It sold more than {copies} copies in its first year."],
        }
        text, n = compose(d, intros, req, opt)
        return f"{b} ({d['genre']})", text, n

    return add_doc("book", "hop1", build, [pub, author])


def author_bio_doc(author: E, pub: E):
    pr = pron(author)

    def build():
        by = author.byear
        d = dict(
            A=author.name,
            Pub=pub.name,
            by=by,
            city=pick_city(),
            n=rng.randint(3, 12),
            other=title("book"),
            oy=year(by + 25, 2024, [pub.founded]),
            prize=rng.choice(BOOK_PRIZES),
            **pr,
        )
        intros = [
            ("{A} is a novelist born in {city} in {by}.", ("birth",)),
            ("{A} (born {by}) is the author of {n} novels.", ()),
        ]
        req = {"pub": ["{Poss} books are published by {Pub}.", "{P} has been published by {Pub} since {oy}."]}
        opt = {
            "birth": ["{P} was born in {city}."],
            "other": ["{Poss} best-known novel is '{other}'.", "'{other}' won {obj} the {prize}."],
        }
        text, n = compose(d, intros, req, opt)
        return author.name, text, n

    return add_doc("book", "bio", build, [author, pub])


# --- album -> band -> city of formation ---------------------------------------------------------------------

MUSIC_GENRES = [
    "indie rock",
    "post-punk",
    "folk",
    "electronic",
    "shoegaze",
    "jazz-rock",
    "synth-pop",
    "alt-country",
    "art-rock",
    "dream-pop",
]


LABELS: list = []


def new_band() -> E:
    if not LABELS:
        LABELS.extend(unique(lambda: f"{word()} Records") for _ in range(8))
    pats = [
        lambda: take(BAND_WORDS, _used_words),
        lambda: take(BAND_WORDS, _used_words),
        lambda: f"The {rng.choice(BAND_ADJ)} {rng.choice(BAND_NOUNS)}",
        lambda: f"{rng.choice(BAND_ADJ)} {rng.choice(BAND_NOUNS)}",
    ]
    name = unique(rng.choice(pats))
    b = E(
        name=name,
        city=pick_city(),
        formed=rng.randint(1976, 2016),
        genre=rng.choice(MUSIC_GENRES),
        members=[person() for _ in range(3)],
        label=rng.choice(LABELS),
    )
    b.secrets = [b.city]
    return b


def band_profile(b: E):
    def build():
        m1, m2, m3 = (m.name for m in b.members)
        d = dict(
            Band=b.name,
            city=b.city,
            year=b.formed,
            genre=b.genre,
            a_genre=art(b.genre),
            m1=m1,
            m2=m2,
            m3=m3,
            label=b.label,
            n=rng.randint(2, 9),
            prize=rng.choice(MUSIC_PRIZES),
            ordn=rng.choice(ORD[:4]),
            region=rng.choice(["Europe", "North America", "Japan", "Scandinavia", "South America"]),
        )
        intros = [
            ("{Band} is {a_genre} band formed in {city} in {year}.", ("origin",)),
            ("{Band} are {a_genre} group from {city}.", ("origin",)),
            ("Formed in {year} in {city}, {Band} play {genre} music.", ("origin",)),
            ("{Band} is {a_genre} band made up of {m1}, {m2} and {m3}.", ("members",)),
        ]
        req = {
            "origin": [
                "The band formed in {city} in {year}.",
                "The group was founded in {city} in {year}.",
                "They got together in {city} in {year}, while {m1} was still at art school.",
                "The group started out in {city} in {year}, playing small clubs.",
            ]
        }
        opt = {
            "members": ["The line-up consists of {m1}, {m2} and {m3}."],
            "label": ["They are signed to {label}.", "Their records come out on {label}."],
            "albums": ["They have released {n} studio albums."],
            "award": ["Their {ordn} album was shortlisted for the {prize}."],
            "tour": ["They have toured widely in {region}."],
        }
        text, n = compose(d, intros, req, opt)
        return b.name, text, n

    return add_doc("album", "profile", build, [b], profile_of=b)


def album_doc(a: str, b: E):
    def build():
        y = rng.randint(b.formed + 1, 2024)
        prod, song = person(), title("song")
        label = rng.choice([lb for lb in LABELS if lb != b.label])
        d = dict(
            A=a,
            Band=b.name,
            year=y,
            ordn=rng.choice(ORD),
            label=label,
            producer=prod.name,
            song=song,
            studio=rng.choice(
                [
                    "Dockside Studios",
                    "Studio Lindholm",
                    "Greenroom Studios",
                    "Hallway Sound",
                    "Blue Barn Studio",
                    "Tape House",
                ]
            ),
            city=pick_city(),
            wk=rng.randint(2, 10),
            n=rng.randint(1, 40),
            adj=rng.choice(["ambitious", "intimate", "abrasive", "accessible", "restless"]),
        )
        d["a_year"] = art(str(y))
        intros = [
            ("'{A}' is the {ordn} studio album by {Band}, released in {year}.", ("band",)),
            ("'{A}' is {a_year} album by {Band}.", ("band",)),
            ("Released in {year} on {label}, '{A}' is a record by {Band}.", ("band", "label")),
            ("'{A}' is an album recorded at {studio} in {city}.", ("rec",)),
        ]
        req = {
            "band": [
                "It is the {ordn} album by {Band}.",
                "The album was written and recorded by {Band}.",
                "{Band} released it in {year}.",
            ]
        }
        opt = {
            "rec": ["It was recorded at {studio} in {city}.", "It was recorded over {wk} weeks in {city}."],
            "producer": ["It was produced by {producer}."],
            "single": ["The lead single, '{song}', reached number {n} on the national chart."],
            "label": ["It came out on {label}."],
            "rec2": ["Critics called it the band's most {adj} work."],
        }
        text, n = compose(d, intros, req, opt)
        return f"{a} (album)", text, n

    return add_doc("album", "hop1", build, [b])


def band_extra_doc(b: E):
    def build():
        if rng.random() < 0.5:
            y = rng.randint(2020, 2025)
            c1, c2 = cities(2)
            d = dict(Band=b.name, y=y, c1=c1, c2=c2, n=rng.randint(12, 40))
            intros = [
                "{Band} have announced a {y} tour, opening in {c1}.",
                "{Band} will play {n} concerts in {y}, starting with two nights in {c1}.",
            ]
            opt = {"a": ["The final show will take place in {c2}."], "b": ["Tickets go on sale next month."]}
            text, n = compose(d, intros, {}, opt, lo=2, hi=3)
            return f"{b.name} announce {y} tour", text, n
        m = rng.choice(b.members)
        pr = pron(m)
        d = dict(
            M=m.name,
            Band=b.name,
            by=rng.randint(b.formed - 30, b.formed - 16),
            city=pick_city(),
            inst=rng.choice(["guitar", "bass", "drums", "keyboards", "violin"]),
            **pr,
            side=unique(lambda: f"{word()} Quartet"),
        )
        intros = [
            ("{M} is a musician best known as the {inst} player of {Band}.", ("band",)),
            ("{M} (born {by}) is a musician and producer.", ()),
        ]
        req = {"band": ["{P} plays {inst} in {Band}."]}
        opt = {"birth": ["{P} was born in {city}."], "side": ["{P} also leads a side project, {side}."]}
        text, n = compose(d, intros, req, opt)
        return m.name, text, n

    return add_doc("album", "news", build, [b] + b.members)


# --- drug -> manufacturer -> CEO ----------------------------------------------------------------------------

DRUG_CLASSES = [
    ("anticoagulant", "atrial fibrillation", "xaban"),
    ("kinase inhibitor", "certain lung cancers", "tinib"),
    ("monoclonal antibody", "plaque psoriasis", "mab"),
    ("antiviral", "chronic hepatitis B", "vir"),
    ("beta blocker", "high blood pressure", "olol"),
    ("antibiotic", "complicated urinary infections", "oxacin"),
    ("statin", "high cholesterol", "statin"),
    ("antidepressant", "major depression", "oxetine"),
    ("antiepileptic", "focal seizures", "cetam"),
    ("antifungal", "invasive aspergillosis", "conazole"),
    ("JAK inhibitor", "rheumatoid arthritis", "citinib"),
]
PHARMA_SUFFIX = ["Therapeutics", "Pharma", "Biosciences", "Pharmaceuticals", "Biologics", "Life Sciences"]


def new_pharma() -> E:
    name = unique(lambda: f"{pseudo()} {rng.choice(PHARMA_SUFFIX)}")
    fy = rng.randint(1960, 2015)
    ph = E(
        name=name,
        hq=pick_city(),
        founded=fy,
        ceo=person(),
        cy=rng.randint(max(fy + 2, 2005), 2023),
        founder=person(),
        chair=person(),
        area=rng.choice(
            ["cancer", "cardiovascular disease", "rare diseases", "infectious diseases", "neurology", "immunology"]
        ),
    )
    ph.secrets = [ph.ceo.name]
    return ph


def pharma_profile(ph: E):
    def build():
        d = dict(
            Ph=ph.name,
            city=ph.hq,
            ceo=ph.ceo.name,
            cy=ph.cy,
            fy=ph.founded,
            founder=ph.founder.name,
            chair=ph.chair.name,
            area=ph.area,
            n=f"{rng.randint(3, 120) * 100:,}",
            k=rng.randint(2, 9),
        )
        intros = [
            ("{Ph} is a pharmaceutical company headquartered in {city}.", ("hq",)),
            ("{Ph} is a biotechnology company focused on {area}.", ("area",)),
            ("{Ph}, led by chief executive {ceo}, develops medicines for {area}.", ("ceo", "area")),
            ("Founded in {fy} by {founder}, {Ph} is a drugmaker based in {city}.", ("founded", "hq")),
        ]
        req = {
            "ceo": [
                "Its chief executive is {ceo}, who took over in {cy}.",
                "{ceo} has been CEO since {cy}.",
                "The company has been run by {ceo} since {cy}.",
                "In {cy}, {ceo} was appointed chief executive.",
            ]
        }
        opt = {
            "hq": ["It is headquartered in {city}.", "Its head office is in {city}."],
            "founded": ["It was founded in {fy} by {founder}.", "{founder} founded the company in {fy}."],
            "chair": ["{chair} chairs its board."],
            "staff": ["It employs about {n} people."],
            "pipeline": ["It has {k} drugs in late-stage trials."],
            "area": ["Its research focuses on {area}."],
        }
        text, n = compose(d, intros, req, opt)
        return ph.name, text, n

    return add_doc("drug", "profile", build, [ph], profile_of=ph)


def new_drug(cls) -> str:
    suffix = cls[2]
    return unique(lambda: (pseudo(2) + suffix).capitalize())


def drug_doc(drug: str, cls, ph: E, univ: E):
    def build():
        klass, disease, _ = cls
        hosp = rng.choice(["a network of 40 hospitals", "university clinics in six countries", "about 120 sites"])
        d = dict(
            drug=drug,
            Ph=ph.name,
            klass=klass,
            a_klass=art(klass),
            disease=disease,
            year=rng.randint(max(ph.founded + 3, 2005), 2024),
            U=univ.name,
            hosp=hosp,
            se=rng.choice(["headache and nausea", "fatigue", "dizziness", "mild skin rash", "insomnia"]),
            dosing=rng.choice(
                ["once a day as a tablet", "twice daily", "as a monthly injection", "as an infusion every four weeks"]
            ),
        )
        intros = [
            ("{drug} is {a_klass} developed by {Ph} for the treatment of {disease}.", ("dev", "use")),
            ("{drug} is {a_klass} used to treat {disease}.", ("use",)),
            ("Developed by {Ph}, {drug} was approved in {year} for {disease}.", ("dev", "approval", "use")),
        ]
        req = {
            "dev": [
                "It was developed by {Ph}.",
                "{Ph} developed the drug and markets it.",
                "The drug is made by {Ph}.",
                "It is sold by its developer, {Ph}.",
            ]
        }
        opt = {
            "approval": ["Regulators approved it in {year}.", "It received marketing approval in {year}."],
            "trial": ["Its phase III trial ran at {hosp}."],
            "origin": ["The compound was first identified by researchers at {U}."],
            "se": ["Common side effects include {se}."],
            "dosing": ["It is taken {dosing}."],
        }
        text, n = compose(d, intros, req, opt)
        return drug, text, n

    return add_doc("drug", "hop1", build, [ph, univ])


def pharma_news_doc(ph: E):
    def build():
        y = rng.randint(2018, 2024)
        rh = person()
        d = dict(
            Ph=ph.name,
            date=date_str(y),
            rh=rh.name,
            drug=new_drug(rng.choice(DRUG_CLASSES)),
            pct=rng.randint(18, 64),
            area=ph.area,
            n=rng.randint(300, 4000),
            amt=rng.randint(50, 900),
        )
        intros = [
            "{Ph} reported positive late-stage results for its experimental drug {drug} on {date}.",
            "On {date}, {Ph} agreed to license its candidate {drug} to a larger partner for {amt} million dollars.",
        ]
        opt = {
            "a": ["The study enrolled {n} patients."],
            "b": ["Its head of research, {rh}, said the company would seek approval next year."],
            "c": ["Patients on the drug had {pct} percent fewer relapses."],
        }
        text, n = compose(d, intros, {}, opt, lo=2, hi=4)
        return f"{ph.name} trial results ({y})", text, n

    return add_doc("drug", "news", build, [ph])


# --- river -> town it flows through -> mayor ---------------------------------------------------------------


def town_name() -> str:
    return unique(lambda: rng.choice(TOWN_PRE) + rng.choice(TOWN_SUF))


def new_town() -> E:
    t = E(
        name=town_name(),
        mayor=person(),
        my=rng.randint(2012, 2023),
        exmayor=person(),
        pop=f"{rng.randint(4, 90) * 1000:,}",
        charter=rng.randint(1180, 1860),
    )
    t.secrets = [t.mayor.name]
    return t


def town_profile(t: E, twin: E):
    def build():
        y1 = rng.randint(t.my - 14, t.my - 6)
        d = dict(
            T=t.name,
            mayor=t.mayor.name,
            my=t.my,
            ex=t.exmayor.name,
            y1=y1,
            y2=t.my,
            pop=t.pop,
            cy=t.charter,
            twin=twin.name,
            feat=rng.choice(
                [
                    "timber-framed market hall",
                    "annual horse fair",
                    "glassworks",
                    "cheese market",
                    "Romanesque church",
                    "paper mill museum",
                ]
            ),
        )
        intros = [
            ("{T} is a town of about {pop} people.", ("pop",)),
            ("{T} is a market town whose mayor, {mayor}, was elected in {my}.", ("mayor",)),
            ("{T} is a small town known for its {feat}.", ("feat",)),
        ]
        req = {
            "mayor": [
                "Its mayor is {mayor}, elected in {my}.",
                "{mayor} has served as mayor since {my}.",
                "The current mayor, {mayor}, took office in {my}.",
                "Since {my}, the town has been governed by mayor {mayor}.",
            ]
        }
        opt = {
            "former": ["{ex} was mayor from {y1} to {y2}.", "{mayor}'s predecessor was {ex}."],
            "feat": ["It is known for its {feat}."],
            "twin": ["It is twinned with {twin}."],
            "pop": ["About {pop} people live there."],
            "charter": ["The town received its charter in {cy}."],
        }
        text, n = compose(d, intros, req, opt)
        return t.name, text, n

    return add_doc("river", "profile", build, [t, twin], profile_of=t)


def river_doc(r: str, t: E):
    def build():
        d = dict(
            R=r,
            T=t.name,
            hills=unique(lambda: f"{pseudo()} Hills"),
            lake=unique(lambda: f"Lake {pseudo()}"),
            km=rng.randint(38, 420),
            trib=unique(lambda: f"{pseudo()} River"),
            by=rng.randint(1550, 1910),
            fy=rng.randint(1950, 2023),
            fish=rng.choice(["salmon runs", "trout fishing", "otters", "kingfishers", "water mills"]),
        )
        intros = [
            ("The {R} is a {km}-kilometre river that rises in the {hills} and flows through {T}.", ("town", "source")),
            ("The {R} rises in the {hills} and empties into {lake}.", ("source", "mouth")),
            ("The {R} is a river about {km} km long.", ()),
        ]
        req = {
            "town": [
                "It flows through the town of {T}.",
                "On its way it passes through {T}, where a stone bridge from {by} crosses it.",
                "The only town on its banks is {T}.",
                "Its course takes it through {T}.",
            ]
        }
        opt = {
            "source": ["It rises in the {hills}."],
            "mouth": ["It empties into {lake}.", "Its mouth is at {lake}."],
            "trib": ["Its main tributary is the {trib}."],
            "fish": ["The river is known for its {fish}."],
            "flood": ["Floods in {fy} damaged farmland along its lower course."],
        }
        text, n = compose(d, intros, req, opt)
        return r, text, n

    return add_doc("river", "hop1", build, [t])


def town_news_doc(t: E):
    def build():
        y = rng.randint(2019, 2024)
        d = dict(
            T=t.name,
            date=date_str(y),
            n=rng.randint(52, 78),
            amt=rng.randint(2, 30),
            other=pick_city(),
            proj=rng.choice(
                [
                    "a new footbridge",
                    "a bypass road",
                    "the restoration of the old mill",
                    "a public swimming pool",
                    "a solar farm",
                ]
            ),
        )
        intros = [
            "Residents of {T} voted on {date} on plans for {proj}.",
            "The town council of {T} approved {proj} on {date}.",
        ]
        opt = {
            "a": ["About {n} percent backed the proposal."],
            "b": ["The project will cost around {amt} million euros."],
            "c": ["Work is due to start next spring."],
        }
        text, n = compose(d, intros, {}, opt, lo=2, hi=3)
        return f"{t.name} council news", text, n

    return add_doc("river", "news", build, [t])


# --- player -> club -> stadium ------------------------------------------------------------------------------

POSITIONS = [
    "goalkeeper",
    "centre-back",
    "full-back",
    "defensive midfielder",
    "midfielder",
    "winger",
    "striker",
    "forward",
]


def new_club() -> E:
    def club_name():
        place = rng.choice(TOWN_PRE) + rng.choice(TOWN_SUF)
        return one_of(
            lambda: f"{place} Rovers",
            lambda: f"FC {place}",
            lambda: f"{place} Athletic",
            lambda: f"Sporting {place}",
            lambda: f"{place} Wanderers",
            lambda: f"{place} United",
            lambda: f"Real {place}",
        )

    name = unique(club_name)
    stadium = unique(
        lambda: one_of(
            lambda: f"{orgsur()} Park",
            lambda: f"{word()} Arena",
            lambda: f"{word()} Road",
            lambda: f"Estadio {word()}",
            lambda: f"{word()} Park",
            lambda: f"{orgsur()} Stadium",
        )
    )
    old = unique(lambda: one_of(lambda: f"{word()} Lane", lambda: f"{word()} Ground"))
    fy = rng.randint(1872, 1965)
    cl = E(
        name=name,
        stadium=stadium,
        old=old,
        founded=fy,
        sy=rng.randint(max(fy + 5, 1925), 2020),
        cap=f"{rng.randint(8, 60) * 1000:,}",
        manager=person(),
        nick=rng.choice(
            [
                "the Millers",
                "the Gulls",
                "the Reds",
                "the Foxes",
                "the Owls",
                "the Bankers",
                "the Ravens",
                "the Lions",
                "the Saints",
                "the Blues",
            ]
        ),
    )
    cl.secrets = [cl.stadium]
    return cl


def club_profile(cl: E):
    def build():
        d = dict(
            Club=cl.name,
            stadium=cl.stadium,
            old=cl.old,
            fy=cl.founded,
            sy=cl.sy,
            cap=cl.cap,
            manager=cl.manager.name,
            nick=cl.nick,
            ty=rng.randint(cl.founded + 10, 2023),
            color=rng.choice(["red", "sky-blue", "green and white", "black and amber", "claret", "yellow"]),
        )
        intros = [
            ("{Club} is a professional football club founded in {fy}.", ("founded",)),
            ("{Club} is a football club that plays its home matches at {stadium}.", ("stadium",)),
            ("Founded in {fy}, {Club} play at {stadium}.", ("founded", "stadium")),
        ]
        req = {
            "stadium": [
                "Its home ground is {stadium}, which holds {cap} spectators.",
                "The club plays its home games at {stadium}.",
                "Home matches are played at {stadium}, opened in {sy}.",
                ("Since {sy}, the team has played at {stadium}; before that it used {old}.", ("old",)),
            ]
        }
        opt = {
            "manager": ["The team is managed by {manager}.", "{manager} has been head coach since last season."],
            "nick": ["Supporters call the club {nick}."],
            "title": ["It won the national league in {ty}."],
            "color": ["It plays in {color} shirts."],
            "founded": ["The club was founded in {fy}."],
        }
        text, n = compose(d, intros, req, opt)
        return cl.name, text, n

    return add_doc("player", "profile", build, [cl], profile_of=cl)


def player_doc(x: E, cl: E, prev: E):
    pr = pron(x)

    def build():
        by = rng.randint(1990, 2004)
        sy = rng.randint(max(by + 18, 2012), 2024)
        d = dict(
            X=x.name,
            Club=cl.name,
            Club2=prev.name,
            pos=rng.choice(POSITIONS),
            by=by,
            sy=sy,
            city=pick_city(),
            g=rng.randint(0, 24),
            c=rng.randint(1, 60),
            iy=rng.randint(sy, 2024),
            n=rng.randint(2, 6),
            **pr,
        )
        d["a_pos"] = art(d["pos"])
        intros = [
            ("{X} is {a_pos} who plays for {Club}.", ("club",)),
            ("{X} (born {by}) is a professional footballer who plays as {a_pos}.", ()),
            ("{X} is {a_pos} who joined {Club} from {Club2} in {sy}.", ("club", "former")),
        ]
        req = {
            "club": [
                "{P} currently plays for {Club}.",
                "In {sy}, {p} signed for {Club}, where {p} still plays.",
                "{P} joined {Club} in {sy} and has been a regular starter since.",
            ]
        }
        opt = {
            "former": [
                "{P} previously played for {Club2}.",
                "Earlier in {poss} career, {p} spent {n} seasons at {Club2}.",
            ],
            "birth": ["{P} was born in {city}.", "{P} grew up in {city}."],
            "goals": ["Last season {p} scored {g} goals."],
            "caps": ["{P} has won {c} caps for the national team."],
            "injury": ["{P} missed much of the {iy} season with a knee injury."],
        }
        text, n = compose(d, intros, req, opt)
        return x.name, text, n

    return add_doc("player", "hop1", build, [x, cl, prev])


def match_doc(home: E, away: E):
    def build():
        y = rng.randint(2021, 2024)
        sc = person()
        hg = rng.randint(1, 4)
        d = dict(
            H=home.name,
            A=away.name,
            st=home.stadium,
            date=date_str(y),
            hg=hg,
            ag=rng.randint(0, hg - 1),
            sc=sc.name,
            n=f"{rng.randint(6, 40) * 1000:,}",
            m=rng.randint(55, 90),
        )
        intros = [
            "{H} beat {A} {hg}–{ag} at {st} on {date}.",
            "In front of {n} spectators at {st}, {H} won {hg}–{ag} against {A} on {date}.",
        ]
        opt = {
            "a": ["{sc} scored the decisive goal in the {m}th minute."],
            "b": ["The result lifts {H} into the top half of the table."],
        }
        text, n = compose(d, intros, {}, opt, lo=2, hi=3)
        return f"{home.name} v {away.name}", text, n

    return add_doc("player", "news", build, [home, away], profile_of=home)


# --- building -> architect -> school ------------------------------------------------------------------------


def new_architect() -> E:
    a = person()
    a.school, a.school2 = rng.sample(ARCH_POOL + UNI_POOL, 2)
    a.byear = rng.randint(1935, 1985)
    a.bcity = pick_city()
    a.firm = unique(lambda: f"{word()} Architects")
    a.other = unique(
        lambda: one_of(lambda: f"{word()} Pavilion", lambda: f"{word()} Library", lambda: f"{orgsur()} Concert Hall")
    )
    a.secrets = [a.school.name]
    return a


def architect_profile(a: E):
    pr = pron(a)

    def build():
        gy = a.byear + rng.randint(23, 27)
        t1 = rng.randint(gy + 5, max(gy + 5, 2015))
        d = dict(
            A=a.name,
            school=a.school.name,
            school2=a.school2.name,
            by=a.byear,
            bcity=a.bcity,
            gy=gy,
            firm=a.firm,
            fy=rng.randint(gy + 2, min(gy + 15, 2022)),
            t1=t1,
            t2=t1 + rng.randint(3, 9),
            other=a.other,
            award=rng.choice(ARCH_AWARDS),
            ay=rng.randint(gy + 10, 2024),
            city=pick_city([a.bcity]),
            **pr,
            style=rng.choice(
                [
                    "timber public buildings",
                    "concrete housing estates",
                    "adaptive reuse of factories",
                    "low-energy schools",
                    "brick civic buildings",
                ]
            ),
        )
        intros = [
            ("{A} is an architect who studied at {school}.", ("school",)),
            ("{A} (born {by}) is an architect and the founder of {firm}.", ("firm",)),
            ("Born in {bcity} in {by}, {A} is an architect known for {style}.", ("birth", "style")),
        ]
        req = {
            "school": [
                "{P} studied architecture at {school}, graduating in {gy}.",
                "{P} trained at {school}.",
                "After completing {poss} studies at {school} in {gy}, {p} worked in {city} for several years.",
                "{P} is a graduate of {school}.",
            ]
        }
        opt = {
            "firm": ["{P} founded {firm} in {fy}."],
            "taught": ["From {t1} to {t2}, {p} taught at {school2}.", "{P} later taught design at {school2}."],
            "birth": ["{P} was born in {bcity}."],
            "work": ["{Poss} best-known work is the {other}."],
            "award": ["{P} received the {award} in {ay}."],
            "style": ["{Poss} practice is known for {style}."],
        }
        text, n = compose(d, intros, req, opt)
        return a.name, text, n

    return add_doc("building", "profile", build, [a, a.school, a.school2], profile_of=a)


def building_doc(bname: str, a: E, client: E):
    def build():
        y = rng.randint(max(a.byear + 32, 1975), 2024)
        d = dict(
            Bd=bname,
            A=a.name,
            city=pick_city(),
            year=y,
            fl=rng.randint(4, 48),
            client=client.name,
            cy=rng.randint(y - 6, y - 2),
            amt=rng.randint(20, 400),
            award=rng.choice(ARCH_AWARDS),
            ay=rng.randint(y, 2024),
            use=rng.choice(
                [
                    "office building",
                    "apartment block",
                    "concert hall",
                    "public library",
                    "railway station",
                    "sports hall",
                    "research building",
                ]
            ),
        )
        intros = [
            ("The {Bd} is {a_size_use} in {city}, designed by {A}.", ("arch",)),
            ("The {Bd} is {a_use} in {city} completed in {year}.", ("done",)),
            ("Designed by {A}, the {Bd} opened in {city} in {year}.", ("arch", "done")),
        ]
        d["a_use"] = art(d["use"])
        tall = d["use"] in ("office building", "apartment block", "research building")
        d["a_size_use"] = f"a {d['fl']}-storey {d['use']}" if tall else d["a_use"]
        req = {
            "arch": [
                "It was designed by the architect {A}.",
                "The architect was {A}.",
                "{A} drew up the design after winning a competition in {cy}.",
            ]
        }
        opt = {
            "done": ["It was completed in {year}.", "Construction finished in {year}."],
            "client": [
                "It was commissioned by {client}.",
                "{client} paid for the building and occupies its upper floors.",
            ],
            "cost": ["It cost about {amt} million euros."],
            "award": ["It won the {award} in {ay}."],
        }
        text, n = compose(d, intros, req, opt)
        return bname, text, n

    return add_doc("building", "hop1", build, [a, client])


def architecture_news_doc(a: E):
    def build():
        y = rng.randint(2019, 2024)
        d = dict(
            A=a.name,
            last=a.last,
            award=rng.choice(ARCH_AWARDS),
            y=y,
            other=a.other,
            city=pick_city(),
            n=rng.randint(4, 9),
        )
        intros = [
            "The jury of the {award} has shortlisted the {other} by {A} for its {y} edition.",
            "An exhibition of drawings by {A} opens in {city} in {y}.",
        ]
        opt = {"a": ["{n} projects are on the shortlist."], "b": ["{last} will give a public lecture at the opening."]}
        text, n = compose(d, intros, {}, opt, lo=2, hi=3)
        return f"{a.name} in the news ({y})", text, n

    return add_doc("building", "news", build, [a])


# --- paper -> lab -> university -----------------------------------------------------------------------------

LAB_FIELDS = [
    "Coastal Ecology",
    "Machine Perception",
    "Computational Linguistics",
    "Soil Science",
    "Climate Modelling",
    "Quantum Materials",
    "Medical Imaging",
    "Robot Learning",
    "Energy Systems",
    "Epidemiology",
    "Neural Computation",
    "Remote Sensing",
    "Speech Technology",
    "Data-Centric AI",
    "Urban Mobility",
    "Structural Biology",
    "Glaciology",
    "Human-Computer Interaction",
]


def new_lab() -> E:
    field = rng.choice(LAB_FIELDS)
    name = unique(
        lambda: one_of(
            lambda: f"{orgsur()} Laboratory for {field}",
            lambda: f"{word()} Lab",
            lambda: f"{orgsur()} Centre for {field}",
            lambda: f"{field} Research Group at {word()} Hall",
        )
    )
    univ, univ2 = rng.sample(UNI_POOL, 2)
    lab = E(
        name=name,
        field=field.lower(),
        univ=univ,
        univ2=univ2,
        head=person(),
        est=rng.randint(1965, 2020),
        funder=rng.choice(FOUNDATIONS),
    )
    lab.secrets = [lab.univ.name]
    return lab


def lab_profile(lab: E):
    def build():
        d = dict(
            Lab=lab.name,
            U=lab.univ.name,
            U2=lab.univ2.name,
            head=lab.head.name,
            ey=lab.est,
            field=lab.field,
            funder=lab.funder,
            n=rng.randint(8, 70),
            dept=rng.choice(
                [
                    "Department of Computer Science",
                    "Faculty of Science",
                    "School of Engineering",
                    "Department of Earth Sciences",
                ]
            ),
        )
        intros = [
            ("The {Lab} is a research group at {U}.", ("univ",)),
            ("The {Lab} studies {field}.", ("field",)),
            ("Based at {U}, the {Lab} was set up in {ey} to study {field}.", ("univ", "est", "field")),
            ("The {Lab}, led by {head}, works on {field}.", ("head", "field")),
        ]
        req = {
            "univ": [
                "It is part of {U}.",
                "The lab is based at {U}.",
                "It belongs to the {dept} at {U}.",
                "It is hosted by {U}, which provides its building.",
            ]
        }
        opt = {
            "head": ["It is led by {head}.", "{head} has directed it since {ey}."],
            "est": ["It was established in {ey}."],
            "funder": ["Much of its work is funded by the {funder}."],
            "collab": ["It collaborates closely with researchers at {U2}."],
            "staff": ["It has about {n} researchers."],
            "field": ["Its work covers {field}."],
        }
        text, n = compose(d, intros, req, opt)
        return lab.name, text, n

    return add_doc("paper", "profile", build, [lab, lab.univ2], profile_of=lab)


def paper_doc(ptitle: str, lab: E, company: E):
    def build():
        lead, co = person(), person()
        d = dict(
            T=ptitle,
            Lab=lab.name,
            year=rng.randint(2012, 2024),
            journal=rng.choice(JOURNALS),
            lead=lead.name,
            co=co.name,
            C=company.name,
            n=rng.randint(20, 900),
            claim=rng.choice(
                [
                    "reports a sharp drop in error rates",
                    "introduces a new benchmark",
                    "shows that a much smaller model suffices",
                    "describes a low-cost sensor design",
                    "questions several earlier results",
                ]
            ),
        )
        intros = [
            ("'{T}' is a {year} paper by researchers at the {Lab}.", ("lab",)),
            ("'{T}' is a research paper published in the {journal} in {year}.", ("journal",)),
            ("In '{T}' ({year}), a team from the {Lab} led by {lead} {claim}.", ("lab", "claim")),
        ]
        req = {
            "lab": [
                "It was written by a team at the {Lab}.",
                "The work came out of the {Lab}.",
                "Its authors are members of the {Lab}, with {lead} as first author.",
            ]
        }
        opt = {
            "journal": ["It appeared in the {journal}."],
            "claim": ["The paper {claim}."],
            "co": ["One co-author, {co}, works at {C}."],
            "cites": ["It has been cited more than {n} times."],
            "code": ["The authors released their code and data."],
        }
        text, n = compose(d, intros, req, opt)
        return ptitle, text, n

    return add_doc("paper", "hop1", build, [lab, company])


def lab_news_doc(lab: E):
    def build():
        y = rng.randint(2019, 2024)
        d = dict(
            Lab=lab.name,
            y=y,
            funder=rng.choice(FOUNDATIONS),
            amt=rng.randint(1, 15),
            n=rng.randint(3, 12),
            head=lab.head.name,
        )
        if rng.random() < 0.5:
            intros = ["The {Lab} has been awarded {amt} million euros by the {funder} for a {n}-year project."]
            opt = {
                "a": ["{head} said the money would pay for new doctoral positions."],
                "c": ["The project starts in {y}."],
            }
        else:
            intros = ["The {Lab} will host a summer school in {y}."]
            opt = {"b": ["About {n}0 students are expected to attend."], "a": ["{head} will give the opening lecture."]}
        text, n = compose(d, intros, {}, opt, lo=2, hi=3)
        return f"{lab.name} news ({y})", text, n

    return add_doc("paper", "news", build, [lab])


# --- ship -> shipyard -> country ----------------------------------------------------------------------------

SHIP_TYPES = [
    "container ship",
    "car ferry",
    "bulk carrier",
    "research vessel",
    "cruise ship",
    "oil tanker",
    "icebreaker",
    "cable-laying ship",
    "fishing trawler",
    "LNG carrier",
]


def new_shipyard() -> E:
    name = unique(
        lambda: one_of(
            lambda: f"{orgsur()} Shipyard",
            lambda: f"{orgsur()} & {orgsur()} Shipbuilders",
            lambda: f"{word()} Marine Works",
            lambda: f"{word()} Shipbuilding",
        )
    )
    city = rng.choice(PORT_CITIES)
    y = E(
        name=name,
        city=city,
        country=COUNTRY_OF[city],
        founded=rng.randint(1850, 1990),
        group=unique(lambda: f"{word()} Industries"),
        workers=f"{rng.randint(4, 60) * 100:,}",
    )
    y.secrets = [y.country]
    return y


def shipyard_profile(y: E):
    def build():
        d = dict(
            Y=y.name,
            city=y.city,
            country=y.country,
            fy=y.founded,
            group=y.group,
            n=y.workers,
            oy=rng.randint(y.founded + 20, 2022),
            m=rng.randint(180, 420),
            types=rng.choice(
                [
                    "ferries and cruise ships",
                    "tankers and bulk carriers",
                    "naval patrol vessels",
                    "research and offshore vessels",
                    "container ships",
                ]
            ),
        )
        intros = [
            ("{Y} is a shipyard in {city}, {country}.", ("loc",)),
            ("{Y} is a shipbuilder founded in {fy}.", ("founded",)),
            ("Located in {city}, {country}, {Y} builds {types}.", ("loc", "types")),
        ]
        req = {
            "loc": [
                "It is located in {city}, {country}.",
                "The yard sits on the waterfront of {city} in {country}.",
                "Its docks are in {city}, {country}.",
            ]
        }
        opt = {
            "founded": ["It was founded in {fy}."],
            "types": ["It specialises in {types}."],
            "workers": ["It employs about {n} people."],
            "owner": ["It has been owned by {group} since {oy}."],
            "dock": ["Its largest dry dock is {m} metres long."],
        }
        text, n = compose(d, intros, req, opt)
        return y.name, text, n

    return add_doc("ship", "profile", build, [y], profile_of=y)


def ship_doc(s: str, y: E, operator: str):
    def build():
        ly = rng.randint(max(y.founded + 5, 1975), 2023)
        pa, pb = rng.sample(PORT_CITIES, 2)
        d = dict(
            S=s,
            Y=y.name,
            ly=ly,
            dy=ly + 1,
            type=rng.choice(SHIP_TYPES),
            op=operator,
            flag=rng.choice(FLAGS),
            gt=f"{rng.randint(3, 150) * 1000:,}",
            pa=pa,
            pb=pb,
            ry=rng.randint(ly + 3, 2025) if ly < 2022 else 2025,
        )
        d["a_type"] = art(d["type"])
        intros = [
            ("{S} is {a_type} built by {Y} and launched in {ly}.", ("built",)),
            ("{S} is {a_type} operated by {op}.", ("op",)),
            ("Launched in {ly}, {S} is {a_type} that sails between {pa} and {pb}.", ("route",)),
        ]
        req = {
            "built": [
                "She was built by {Y}.",
                "She was constructed at {Y} and delivered in {dy}.",
                "{Y} built her in {ly}.",
            ]
        }
        opt = {
            "op": ["She is operated by {op}."],
            "flag": ["She sails under the flag of {flag}."],
            "gt": ["She has a gross tonnage of {gt}."],
            "route": ["She sails between {pa} and {pb}."],
            "refit": ["She underwent a major refit in {ry}."],
        }
        text, n = compose(d, intros, req, opt)
        return s, text, n

    return add_doc("ship", "hop1", build, [y])


def ship_order_doc(y: E, operator: str):
    def build():
        yr = rng.randint(2020, 2024)
        d = dict(
            Y=y.name,
            op=operator,
            n=rng.randint(2, 6),
            t=rng.choice(SHIP_TYPES) + "s",
            dy=yr + rng.randint(2, 4),
            amt=rng.randint(80, 900),
            date=date_str(yr),
        )
        intros = [
            "{op} has ordered {n} {t} from {Y}, it said on {date}.",
            "On {date}, {Y} won an order for {n} {t} from {op}.",
        ]
        opt = {"a": ["Deliveries are planned for {dy}."], "b": ["The contract is worth about {amt} million euros."]}
        text, n = compose(d, intros, {}, opt, lo=2, hi=3)
        return f"{y.name} wins order", text, n

    return add_doc("ship", "news", build, [y])


# --- painting -> museum -> year opened ----------------------------------------------------------------------


def new_museum() -> E:
    name = unique(
        lambda: one_of(
            lambda: f"{orgsur()} Museum of Art",
            lambda: f"{word()} Gallery",
            lambda: f"{word()} Art Museum",
            lambda: f"{orgsur()} Collection",
        )
    )
    m = E(
        name=name,
        city=pick_city(),
        opened=rng.randint(1840, 2012),
        director=person(),
        focus=rng.choice(
            ["European painting", "modern art", "Nordic landscape painting", "prints and drawings", "contemporary art"]
        ),
    )
    m.secrets = [str(m.opened)]
    return m


def museum_profile(m: E):
    def build():
        d = dict(
            M=m.name,
            city=m.city,
            oy=m.opened,
            dir=m.director.name,
            focus=m.focus,
            n=f"{rng.randint(2, 90) * 500:,}",
            ry=year(m.opened + 15, 2023, [m.opened]) if m.opened < 2005 else 2023,
            by=year(1700, m.opened - 1, [m.opened]),
            bt=rng.choice(["customs house", "textile mill", "railway depot", "bishop's palace", "grain warehouse"]),
        )
        intros = [
            ("The {M} is an art museum in {city} that opened in {oy}.", ("opened", "city")),
            ("The {M} is an art museum in {city}.", ("city",)),
            ("Opened in {oy}, the {M} holds {n} works of {focus}.", ("opened", "coll")),
        ]
        req = {
            "opened": [
                "It opened to the public in {oy}.",
                "The museum first opened its doors in {oy}.",
                "It was inaugurated in {oy}.",
            ]
        }
        opt = {
            "city": ["It is located in {city}."],
            "dir": ["Its director is {dir}."],
            "reno": ["The building was extensively renovated in {ry}."],
            "housed": ["The museum occupies a former {bt} built in {by}."],
            "coll": ["Its collection includes more than {n} works of {focus}."],
        }
        text, n = compose(d, intros, req, opt)
        return m.name, text, n

    return add_doc("painting", "profile", build, [m], profile_of=m)


def painting_doc(pt: str, painter: E, m: E):
    def build():
        py = rng.randint(1640, 2010)
        d = dict(
            Pt=pt,
            painter=painter.name,
            py=py,
            M=m.name,
            ay=rng.randint(max(py, m.opened) + 1, 2024),
            col=person().name,
            city=pick_city(),
            ey=rng.randint(py + 1, 2024),
            h=rng.randint(30, 240),
            w=rng.randint(30, 300),
            medium=rng.choice(["oil", "tempera", "watercolour", "acrylic"]),
            scene=rng.choice(
                [
                    "a harbour at low tide",
                    "a family at supper",
                    "a woman reading by a window",
                    "two boats in fog",
                    "a winter market",
                ]
            ),
        )
        d["a_medium"] = art(d["medium"])
        d["a_py"] = art(str(py))
        intros = [
            ("'{Pt}' is {a_medium} painting by {painter}, completed in {py}.", ()),
            ("'{Pt}' is {a_py} painting by {painter} in the collection of the {M}.", ("museum",)),
            ("{painter} painted '{Pt}' in {py}.", ()),
        ]
        req = {
            "museum": [
                "It is held by the {M}.",
                "The {M} acquired it in {ay}.",
                "It now hangs in the {M}.",
                "Today it belongs to the {M}, which bought it in {ay}.",
            ]
        }
        opt = {
            "size": ["It measures {h} by {w} centimetres."],
            "owner": ["It was previously owned by the collector {col}."],
            "exh": ["It was shown in an exhibition in {city} in {ey}."],
            "scene": ["It depicts {scene}."],
        }
        text, n = compose(d, intros, req, opt)
        return f"{pt} (painting)", text, n

    return add_doc("painting", "hop1", build, [m])


def museum_news_doc(m: E):
    def build():
        y = rng.randint(2020, 2025)
        artist = person()
        d = dict(M=m.name, a=artist.name, y=y, mon=rng.choice(MONTHS), n=rng.randint(30, 140))
        intros = [
            "The {M} will open an exhibition of work by {a} in {mon} {y}.",
            "A survey of {a}'s paintings goes on show at the {M} in {y}.",
        ]
        opt = {"a": ["It brings together about {n} works."], "b": ["Several pieces have never been shown in public."]}
        text, n = compose(d, intros, {}, opt, lo=2, hi=3)
        return f"{m.name} exhibition ({y})", text, n

    return add_doc("painting", "news", build, [m])


# --- restaurant -> head chef -> birthplace ------------------------------------------------------------------

CUISINES = [
    "seasonal Nordic cooking",
    "Basque-style grilled fish",
    "modern Italian food",
    "vegetarian tasting menus",
    "Japanese-French dishes",
    "Lebanese small plates",
    "West African dishes",
    "classic French bistro food",
]
REST_NOUNS = "Pot Table Hearth Larder Kettle Spoon Anchor Lantern Orchard Fig Quince Oyster".split()
REST_ADJ = "Copper Salted Crooked Little Hungry Green Smoked Gilded Wild".split()


def restaurant_name() -> str:
    return unique(
        lambda: one_of(
            lambda: f"Casa {pseudo()}",
            lambda: (
                f"{rng.choice(['Salt', 'Ember', 'Smoke', 'Thyme', 'Rye', 'Brine', 'Sorrel'])} & {rng.choice(['Ember', 'Oak', 'Ash', 'Vine', 'Honey', 'Stone', 'Tide'])}"
            ),
            lambda: f"The {rng.choice(REST_ADJ)} {rng.choice(REST_NOUNS)}",
            lambda: f"Brasserie {pseudo()}",
            lambda: f"{word()} Kitchen",
        )
    )


def new_chef() -> E:
    c = person()
    c.bcity, c.gcity = cities(2)
    c.byear = rng.randint(1960, 1994)
    c.school = rng.choice(CULINARY_SCHOOLS)
    c.prev = restaurant_name()
    c.secrets = [c.bcity]
    return c


def chef_profile(c: E):
    pr = pron(c)

    def build():
        d = dict(
            C=c.name,
            bcity=c.bcity,
            gcity=c.gcity,
            by=c.byear,
            school=c.school,
            prev=c.prev,
            pcity=pick_city([c.bcity]),
            book=title("book"),
            bky=rng.randint(c.byear + 28, 2024),
            n=rng.randint(1, 3),
            style=rng.choice(CUISINES),
            **pr,
        )
        intros = [
            ("{C} is a chef born in {bcity} in {by}.", ("birth",)),
            ("{C} is a chef known for {style}.", ("style",)),
            ("Born in {bcity}, {C} trained at the {school}.", ("birth", "school")),
        ]
        req = {
            "birth": [
                "{P} was born in {bcity} in {by}.",
                ("{P} was born in {bcity} but grew up in {gcity}.", ("grew",)),
                "{P} is a native of {bcity}.",
            ]
        }
        opt = {
            "school": ["{P} trained at the {school}."],
            "prev": ["{P} worked at {prev} in {pcity} before opening {poss} own kitchen."],
            "book": ["{Poss} cookbook, '{book}', appeared in {bky}."],
            "tv": ["{P} has appeared on several cooking programmes."],
            "grew": ["{P} spent {poss} teenage years in {gcity}."],
            "style": ["{P} is known for {style}."],
        }
        text, n = compose(d, intros, req, opt)
        return c.name, text, n

    return add_doc("restaurant", "profile", build, [c], profile_of=c)


def restaurant_doc(r: str, c: E, owner: E):
    def build():
        oy = rng.randint(max(c.byear + 25, 1995), 2023)
        d = dict(
            R=r,
            chef=c.name,
            city=pick_city(),
            oy=oy,
            cy=rng.randint(oy, 2024),
            cuisine=rng.choice(CUISINES),
            seats=rng.randint(18, 120),
            owner=owner.name,
            sy=rng.randint(oy + 1, 2025),
        )
        intros = [
            ("{R} is a restaurant in {city} run by head chef {chef}.", ("chef", "city")),
            ("{R} is a restaurant in {city} that serves {cuisine}.", ("cuisine", "city")),
            ("Opened in {oy}, {R} is a restaurant in {city} led by chef {chef}.", ("chef", "city", "opened")),
        ]
        req = {
            "chef": [
                "Its head chef is {chef}.",
                "The kitchen is run by {chef}.",
                "{chef} has been head chef since {cy}.",
            ]
        }
        opt = {
            "cuisine": ["It serves {cuisine}."],
            "seats": ["The dining room seats {seats}."],
            "owner": ["It is owned by {owner}."],
            "star": ["It gained a Michelin star in {sy}."],
            "opened": ["It opened in {oy}."],
        }
        text, n = compose(d, intros, req, opt)
        return f"{r} (restaurant)", text, n

    return add_doc("restaurant", "hop1", build, [c, owner])


def chef_news_doc(c: E):
    pr = pron(c)

    def build():
        y = rng.randint(2020, 2025)
        d = dict(
            C=c.name, last=c.last, fest=rng.choice(FOOD_FESTIVALS), city=pick_city(), y=y, n=rng.randint(3, 8), **pr
        )
        intros = [
            "{C} will cook at the {fest} in {city} in {y}.",
            "The {fest} in {city} has named {C} as its guest chef for {y}.",
        ]
        opt = {"a": ["{last} is preparing a {n}-course menu."], "b": ["Tickets sold out within a day."]}
        text, n = compose(d, intros, {}, opt, lo=2, hi=3)
        return f"{c.name} at the {d['fest']}", text, n

    return add_doc("restaurant", "news", build, [c])


# ---------------------------------------------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------------------------------------------

QT = {
    "employee": [
        "Where is the company that {S} works for headquartered?",
        "Which city is home to the employer of {S}?",
        "In which city does {Sp} employer have its headquarters?",
        "{S} works for a company. In which city is that company based?",
    ],
    "product": [
        "Who founded the company that makes the {S}?",
        "Who is the founder of the maker of the {S}?",
        "The {S} is produced by a company. Who founded that company?",
    ],
    "film": [
        "Where was the director of '{S}' born?",
        "In which city was the person who directed '{S}' born?",
        "What is the birthplace of the filmmaker who directed '{S}'?",
    ],
    "book": [
        "In what year was the publisher of '{S}' founded?",
        "When was the publishing house that published '{S}' established?",
        "'{S}' was released by a publisher. In what year was that publisher founded?",
    ],
    "album": [
        "In which city was the band that recorded '{S}' formed?",
        "Which city did the band behind the album '{S}' originally come from?",
        "The album '{S}' was made by a band. In which city was that band founded?",
    ],
    "drug": [
        "Who is the CEO of the company that developed {S}?",
        "Who is the chief executive of the drugmaker behind {S}?",
        "{S} is made by a pharmaceutical company. Who is that company's CEO?",
    ],
    "river": [
        "Who is the mayor of the town that the {S} flows through?",
        "The {S} passes through a town. Who is that town's current mayor?",
        "Who serves as mayor of the town on the {S}?",
    ],
    "player": [
        "At which stadium does the club {S} plays for hold its home matches?",
        "What is the home ground of {Sp} current club?",
        "{S} plays for a football club. What is the name of that club's stadium?",
    ],
    "building": [
        "Where did the architect of the {S} study?",
        "At which school was the architect who designed the {S} trained?",
        "Which institution did the designer of the {S} graduate from?",
    ],
    "paper": [
        "Which university is the lab behind '{S}' part of?",
        "At which university is the research group that wrote '{S}' based?",
        "'{S}' came out of a research lab. Which university hosts that lab?",
    ],
    "ship": [
        "In which country is the shipyard that built {S}?",
        "Which country is home to the builder of {S}?",
        "{S} was built at a shipyard. In which country is that yard?",
    ],
    "painting": [
        "In what year did the museum that holds '{S}' open?",
        "When did the museum where '{S}' hangs first open to the public?",
        "'{S}' is in a museum's collection. In what year did that museum open?",
    ],
    "restaurant": [
        "Where was the head chef of {S} born?",
        "In which city was the chef who runs {S} born?",
        "What is the birthplace of the head chef of {S}?",
    ],
    "alumnus": [
        "In which city is the university that {S} graduated from?",
        "Where is {Sp} alma mater located?",
        "{S} studied at a university. In which city is that university?",
    ],
}

RELATION = {
    "employee": "person -> employer (company) -> headquarters city",
    "product": "product -> maker (company) -> founder",
    "film": "film -> director -> birthplace",
    "book": "book -> publisher -> founding year",
    "album": "album -> band -> city where the band formed",
    "drug": "drug -> developer (pharma company) -> CEO",
    "river": "river -> town it flows through -> mayor",
    "player": "footballer -> current club -> home stadium",
    "building": "building -> architect -> school studied at",
    "paper": "paper -> lab -> host university",
    "ship": "ship -> shipyard -> country",
    "painting": "painting -> museum holding it -> year opened",
    "restaurant": "restaurant -> head chef -> birthplace",
    "alumnus": "person -> university graduated from -> city",
}

# questions per chain (150 in all), how many of them share a bridge with another question of the chain,
# distractor profiles (same kind as the hop-2 document), distractor hop-1 documents, other documents (news, bios).
PLAN = {
    "film": (11, 1, 10, 7, 6),
    "book": (11, 1, 10, 6, 6),
    "album": (11, 1, 10, 6, 6),
    "drug": (11, 1, 10, 6, 5),
    "river": (10, 1, 10, 7, 6),
    "player": (11, 1, 10, 6, 6),
    "building": (11, 1, 10, 6, 5),
    "paper": (11, 1, 10, 6, 6),
    "ship": (10, 1, 10, 6, 5),
    "painting": (10, 1, 10, 6, 5),
    "restaurant": (10, 1, 10, 6, 5),
    "alumnus": (11, 1, 10, 6, 5),
}
N_EMPLOYEE_Q, N_PRODUCT_Q = 12, 10


def build_world() -> None:
    k = rng.randrange(100)  # rotates question wordings
    nq, shared, n_d2, _, _ = PLAN["alumnus"]
    n_profiled = nq - shared + n_d2 + 3
    UNI_POOL.extend(new_university() for _ in range(n_profiled + 14))
    ARCH_POOL.extend(new_university("arch") for _ in range(8))
    alumnus_unis = iter(UNI_POOL[:n_profiled])  # the alumnus chain's bridges and distractors

    # ---- tech companies --------------------------------------------------------------------------------------
    companies = [new_company() for _ in range(30)]
    orphan_companies = [new_company() for _ in range(8)]  # mentioned, never profiled
    emp_q = companies[:10]
    prod_q = companies[7:15]  # 3 companies serve both kinds of question
    profiles = {c.name: company_profile(c) for c in companies}
    everyone = companies + orphan_companies

    emp_bridges = split_subjects(emp_q, N_EMPLOYEE_Q)
    for c in emp_bridges:
        x = person()
        prev = rng.choice([o for o in everyone if o is not c])
        doc = employee_doc(x, c, prev, rng.choice(UNI_POOL))
        question("employee", QT["employee"], {"S": x.name}, c.hq, doc, profiles[c.name], c.name, k)
        k += 1
    prod_bridges = split_subjects(prod_q, N_PRODUCT_Q)
    for c in prod_bridges:
        pname = unique(
            lambda: (
                f"{pseudo()} {rng.choice(['X2', 'Pro 5', 'S1', 'Mini', 'Air', 'Go', 'One', 'Max', 'Lite', 'Edge', 'Pulse', '3'])}"
            )
        )
        doc = product_doc(pname, rng.choice(c.products), c, rng.choice([o for o in everyone if o is not c]))
        question("product", QT["product"], {"S": pname}, c.founder.name, doc, profiles[c.name], c.name, k)
        k += 1
    for _ in range(18):  # other employees, of question companies too
        c = rng.choice(everyone)
        employee_doc(
            person(), c, rng.choice([o for o in everyone if o is not c]), rng.choice(UNI_POOL), chain="employee"
        )
    for _ in range(9):
        c = rng.choice(everyone)
        pname = unique(lambda: f"{pseudo()} {rng.choice(['X1', 'Pro', 'S2', 'Plus', 'Neo', 'Flex', '2'])}")
        product_doc(pname, rng.choice(c.products), c, rng.choice([o for o in everyone if o is not c]))
    news_targets = rng.sample(emp_q + prod_q, 10) + rng.sample(companies[15:] + orphan_companies, 7)
    for c in news_targets:
        tech_news_doc(c, rng.choice([o for o in everyone if o is not c]))

    # ---- generic chains --------------------------------------------------------------------------------------
    def run_chain(chain, make_bridge, profile, make_subject, hop1, answer, extra, n_orphans=3):
        nq, _shared, n_d2, n_d1, n_x = PLAN[chain]
        nb = nq - _shared
        bridges = [make_bridge() for _ in range(nb)]
        others = [make_bridge() for _ in range(n_d2)]
        orphans = [make_bridge() for _ in range(n_orphans)]
        prof = {}
        for b in bridges + others:
            prof[id(b)] = profile(b)
        nonlocal_k = [k]
        for b in split_subjects(bridges, nq):
            s = make_subject()
            doc = hop1(s, b)
            sname = s if isinstance(s, str) else s.name
            question(chain, QT[chain], {"S": sname}, answer(b), doc, prof[id(b)], b.name, nonlocal_k[0])
            nonlocal_k[0] += 1
        for _ in range(n_d1):
            r = rng.random()
            b = rng.choice(bridges if r < 0.4 else others if r < 0.8 else orphans)
            hop1(make_subject(), b)
        for b in rng.sample(bridges, min(len(bridges), (n_x + 1) // 2)) + rng.sample(others + orphans, n_x // 2):
            extra(b)
        return nonlocal_k[0], bridges + others + orphans

    # universities that alumni questions are about get profiles; more appear incidentally elsewhere
    k, unis = run_chain(
        "alumnus",
        lambda: next(alumnus_unis),
        university_profile,
        person,
        lambda x, u: alumnus_doc(x, u, rng.choice(everyone)),
        lambda u: u.city,
        university_news_doc,
    )
    studios = [unique(lambda: f"{word()} Pictures") for _ in range(4)] + [
        unique(lambda: f"{pseudo()} Film Collective") for _ in range(3)
    ]
    k, _ = run_chain(
        "film",
        new_director,
        director_profile,
        lambda: title("film"),
        lambda f, dr: film_doc(f, dr, rng.choice(studios)),
        lambda dr: dr.bcity,
        film_extra_doc,
    )
    authors = [person() for _ in range(30)]
    for a in authors:
        a.byear = rng.randint(1925, 1995)
    k, pubs = run_chain(
        "book",
        new_publisher,
        publisher_profile,
        lambda: title("book"),
        lambda b, pub: book_doc(b, pub, rng.choice(authors)),
        lambda p: str(p.founded),
        lambda p: author_bio_doc(rng.choice(authors), p),
    )
    k, _ = run_chain(
        "album", new_band, band_profile, lambda: title("album"), album_doc, lambda b: b.city, band_extra_doc
    )
    cls_of = {}

    def drug_subject():
        cls = rng.choice(DRUG_CLASSES)
        name = new_drug(cls)
        cls_of[name] = cls
        return name

    k, _ = run_chain(
        "drug",
        new_pharma,
        pharma_profile,
        drug_subject,
        lambda s, ph: drug_doc(s, cls_of[s], ph, rng.choice(UNI_POOL)),
        lambda ph: ph.ceo.name,
        pharma_news_doc,
    )
    towns: list = []

    def make_town():
        t = new_town()
        towns.append(t)
        return t

    def town_prof(t):
        return town_profile(t, rng.choice([o for o in towns if o is not t] or [new_town()]))

    k, _ = run_chain(
        "river",
        make_town,
        town_prof,
        lambda: unique(lambda: f"{pseudo()} River"),
        river_doc,
        lambda t: t.mayor.name,
        town_news_doc,
    )
    clubs: list = []

    def make_club():
        c = new_club()
        clubs.append(c)
        return c

    k, allclubs = run_chain(
        "player",
        make_club,
        club_profile,
        person,
        lambda x, cl: player_doc(x, cl, rng.choice([o for o in clubs if o is not cl])),
        lambda cl: cl.stadium,
        lambda cl: match_doc(
            rng.choice([o for o in clubs[PLAN["player"][0] - PLAN["player"][1] :] if o is not cl]), cl
        ),
    )
    k, _ = run_chain(
        "building",
        new_architect,
        architect_profile,
        lambda: unique(
            lambda: one_of(
                lambda: f"{word()} Tower",
                lambda: f"{word()} Exchange",
                lambda: f"{word()} Building",
                lambda: f"{word()} Hall",
                lambda: f"{word()} Centre",
            )
        ),
        lambda bn, a: building_doc(bn, a, rng.choice(everyone)),
        lambda a: a.school.name,
        architecture_news_doc,
    )
    k, _ = run_chain(
        "paper",
        new_lab,
        lab_profile,
        lambda: title("paper"),
        lambda t, lab: paper_doc(t, lab, rng.choice(everyone)),
        lambda lab: lab.univ.name,
        lab_news_doc,
    )
    operators = [
        unique(lambda: f"{word()} {rng.choice(['Lines', 'Shipping', 'Ferries', 'Maritime'])}") for _ in range(8)
    ]
    k, _ = run_chain(
        "ship",
        new_shipyard,
        shipyard_profile,
        lambda: unique(lambda: f"{rng.choice(['MV', 'MS', 'MT'])} {rng.choice(SHIP_ADJ)} {rng.choice(SHIP_NOUN)}"),
        lambda s, y: ship_doc(s, y, rng.choice(operators)),
        lambda y: y.country,
        lambda y: ship_order_doc(y, rng.choice(operators)),
    )
    painters = [person() for _ in range(20)]
    k, _ = run_chain(
        "painting",
        new_museum,
        museum_profile,
        lambda: title("painting"),
        lambda pt, m: painting_doc(pt, rng.choice(painters), m),
        lambda m: str(m.opened),
        museum_news_doc,
    )
    groups = [unique(lambda: f"{word()} Hospitality") for _ in range(4)]
    group_entities = [E(name=g, secrets=[]) for g in groups]
    k, _ = run_chain(
        "restaurant",
        new_chef,
        chef_profile,
        restaurant_name,
        lambda r, c: restaurant_doc(r, c, rng.choice(group_entities)),
        lambda c: c.bcity,
        chef_news_doc,
    )


# ---------------------------------------------------------------------------------------------------------------
# Checks and output
# ---------------------------------------------------------------------------------------------------------------


def validate() -> list:
    problems = []
    texts = [d["title"] + "\n" + d["content"] for d in DOCS]
    for q in QUESTIONS:
        a, b = q["a"], q["b"]
        ta, tb = a["title"] + "\n" + a["content"], b["title"] + "\n" + b["content"]
        tag = f"{q['chain']}: {q['question']}"
        if not (has(a["content"], q["bridge"]) and has(b["content"], q["bridge"])):
            problems.append(f"bridge not named in both documents: {tag}")
        if has(tb, q["subject"]):
            problems.append(f"hop-2 document names the subject: {tag}")
        if has(ta, q["answer"]):
            problems.append(f"hop-1 document contains the answer: {tag}")
        if not has(b["content"], q["answer"]):
            problems.append(f"hop-2 document lacks the answer: {tag}")
        holders = [i for i, t in enumerate(texts) if has(t, q["subject"])]
        if len(holders) != 1:
            problems.append(f"subject named in {len(holders)} documents: {tag}")
        both = [
            DOCS[i]["title"]
            for i, t in enumerate(texts)
            if DOCS[i] is not b and has(t, q["bridge"]) and has(t, q["answer"])
        ]
        if both:
            problems.append(f"other documents name bridge and answer: {tag}: {both}")
    # No second, rarely named entity may link the two supporting documents besides the bridge. Hubs (the fixed
    # prizes, festivals, journals... and any name in 6 or more documents, e.g. record labels) are allowed.
    names_in = []
    for t in texts:
        tt = toks(t)
        grams = {tt[i:j] for i in range(len(tt)) for j in range(i + 1, min(len(tt), i + 8) + 1)}
        names_in.append(grams & REG.names)
    df = Counter(n for ns in names_in for n in ns)
    index = {id(d): i for i, d in enumerate(DOCS)}
    hub_names = {toks(h) for h in HUBS}
    for q in QUESTIONS:
        shared = names_in[index[id(q["a"])]] & names_in[index[id(q["b"])]] - {toks(q["bridge"])}
        rare = sorted(" ".join(n) for n in shared if df[n] < 6 and n not in hub_names)
        if rare:
            problems.append(f"second link {rare} between the supporting documents: {q['chain']}: {q['question']}")
    for d in DOCS:
        if not 2 <= d["n_sent"] <= 6:
            problems.append(f"{d['n_sent']} sentences: {d['title']}")
    return problems


def main() -> int:
    build_world()
    order = list(range(len(DOCS)))
    rng.shuffle(order)
    for n, i in enumerate(order, 1):
        DOCS[i]["doc_id"] = f"d{n:04d}"
    problems = validate()
    if problems:
        print("\n".join(problems[:50]), file=sys.stderr)
        print(f"{len(problems)} problems", file=sys.stderr)
        return 1

    docs_sorted = sorted(DOCS, key=lambda d: d["doc_id"])
    with open(os.path.join(HERE, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for d in docs_sorted:
            f.write(
                json.dumps({"doc_id": d["doc_id"], "title": d["title"], "content": d["content"]}, ensure_ascii=False)
                + "\n"
            )
    qs = list(QUESTIONS)
    rng.shuffle(qs)
    with open(os.path.join(HERE, "questions.jsonl"), "w", encoding="utf-8") as f:
        for n, q in enumerate(qs, 1):
            q["id"] = f"q{n:03d}"
            f.write(
                json.dumps(
                    {
                        "id": q["id"],
                        "question": q["question"],
                        "answer": q["answer"],
                        "supporting": [q["a"]["doc_id"], q["b"]["doc_id"]],
                        "bridge": q["bridge"],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    write_readme(docs_sorted, qs)
    print(f"{len(DOCS)} documents, {len(QUESTIONS)} questions written to {HERE}")
    return 0


def write_readme(docs: list, qs: list) -> None:
    supporting = {q["a"]["doc_id"] for q in qs} | {q["b"]["doc_id"] for q in qs}
    hop2_use = Counter(q["b"]["doc_id"] for q in qs)
    shared = sum(1 for v in hop2_use.values() if v > 1)
    most = max(hop2_use.values())
    per_chain = Counter(q["chain"] for q in qs)
    group = {"employee": "employee + product", "product": "employee + product", "tech": "employee + product"}
    kinds = Counter((group.get(d["chain"], d["chain"]), d["role"]) for d in docs)
    rows = [f"| {c} | {RELATION[c]} | {per_chain[c]} |" for c in RELATION]
    krows = []
    for c in dict.fromkeys(group.get(c, c) for c in RELATION):
        prof, hop1 = kinds[(c, "profile")], kinds[(c, "hop1")]
        other = kinds[(c, "news")] + kinds[(c, "bio")]
        krows.append(f"| {c} | {prof} | {hop1} | {other} | {prof + hop1 + other} |")
    sentences = Counter(d["n_sent"] for d in docs)
    n_d2 = PLAN["film"][2]
    text = f"""# Two-hop (bridge) development set

A development set for the memory hub's graph-expanded `context`: every question needs **two documents linked by a
named entity** (the *bridge*), like HotpotQA "bridge" questions. Example: *"Where is the company that Maria Keller
works for headquartered?"* - one document says Maria Keller works at a company (and not where it is), another says
where that company is headquartered (and never mentions Maria Keller).

It is synthetic and made for development; it is not the owners' hidden set. People, organisations, titles, towns
and rivers are invented; real city and country names are used as places.

## Files

- `corpus.jsonl` - {len(docs)} documents, one JSON object a line:
  `{{"doc_id": "d0001", "title": "...", "content": "..."}}`.
- `questions.jsonl` - {len(qs)} questions, one a line:
  `{{"id": "q001", "question": "...", "answer": "...", "supporting": ["dA", "dB"], "bridge": "..."}}`.
  `supporting[0]` is the document about the entity the question names (hop 1), `supporting[1]` the one reached
  through the bridge (hop 2), which holds the answer. `bridge` is the entity named in both, by its full name.
  `answer` is a short string (a city, a person, a year, a stadium, a school, a university or a country) found
  verbatim in the hop-2 document.
- `make_twohop.py` - the generator (standard library only, fixed seed `{SEED}`): `python3 make_twohop.py` rewrites
  the three files above, byte for byte, and refuses to write if a check below fails.

## Counts

Documents: {len(docs)}. {len(supporting)} support at least one question, {len(docs) - len(supporting)} are distractors
only. {shared} hop-2 documents serve more than one question (up to {most}: subjects sharing a bridge, or a company
profile that answers both employer and founder questions); every hop-1 document serves one.

Questions: {len(qs)} over {len(RELATION)} relation chains, each asked in three or four wordings:

| chain | relation (the question names the first, the answer is the last) | questions |
|---|---|---|
{chr(10).join(rows)}

Documents by chain (the employee and product chains share one set of companies):

| chain | profiles (hop-2 kind) | subject documents (hop-1 kind) | news items and biographies | total |
|---|---|---|---|---|
{chr(10).join(krows)}

Sentences per document: {", ".join(f"{k}: {sentences[k]}" for k in sorted(sentences))}.

## How it was made

`make_twohop.py` builds a small world - companies, drugmakers, publishers, bands, film directors, football clubs,
architects, labs, universities, shipyards, museums, chefs and towns, with their attributes - from name pools
({len(FIRST_F) + len(FIRST_M)} first names, {len(LAST)} surnames for people, separate surnames and invented stems for
organisations, generated titles). A registry keeps every full name unique and never part of another name, nor
containing a real city or country. For each chain it writes:

- a *profile* document for the bridge entity of each question (hop 2) and for {n_d2} more entities of the same kind,
  so each hop-2 document competes with many documents in the same vocabulary ("headquartered in", "was born in",
  "its mayor", "opened in");
- the *hop-1* document for each question's subject, plus more subject documents for the same or other bridge
  entities (a second film by the same director, other employees of the same company) and for entities that have
  no profile at all;
- news items and short biographies that name bridge entities again without stating the answer (a company's
  partnership, a band's tour, a museum's exhibition, a match report at another club's ground).

Texts have 2-6 sentences: an opening sentence picked from several patterns (some state the key fact, some do not),
then the remaining facts and a random choice of extra details in shuffled order; people are referred to by pronoun
or surname after the first mention, ships as "she". Hop-1 documents often name a second, irrelevant organisation or
place (a previous employer, a former club, the university someone studied at, the city where a film was shot, the
flag a ship sails under), and hop-2 documents carry near misses (a founder and a CEO, a current and a former mayor,
the school an architect studied at and one they taught at, a museum's opening and renovation years). Some names
recur in many documents as hubs: cities, prizes, festivals, record labels, film and cookery schools, foundations.

## Difficulty for plain similarity search

Measured once, outside the generator, with the product's embedder (all-MiniLM-L6-v2; each document embedded as
title + newline + content, each question as is, ranked by cosine over the whole corpus): the hop-1 document is the
top match for 96% of the questions and in the top 3 for 99%; the hop-2 document is the top match for none, in the
top 5 for 13%, the top 10 for 29% and the top 20 for 47% (median rank 22; by chain, from 10% in the top 10 for
ships to 70% for restaurants). Plain similarity thus finds the first hop and mostly misses the second, which
graph expansion through the bridge has to recover. These figures describe this exact output of the generator.

## Checks (enforced by the generator)

For every question: the bridge is named in full in both supporting documents; the hop-2 document does not name the
subject; the hop-1 document does not contain the answer and the hop-2 document does; the subject is named in exactly
one document of the corpus; no other document names both the bridge and the answer (the answer-bearing fact about
the bridge is stated once); the two supporting documents share no other rarely named entity (fewer than six
documents) that could serve as a second bridge. Every document has 2-6 sentences. Matching is on whole words and
case-sensitive.
"""
    with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
