#!/usr/bin/env python3
"""Generate the `twohop_wiki` two-hop retrieval set: Wikipedia-style articles, 100 bridge questions.

Deterministic (fixed seed), standard library only.  Run from anywhere:

    python3 make_twohop.py            # writes corpus.jsonl and questions.jsonl next to this file
    python3 make_twohop.py --examples # also prints three example questions with their documents

The world is invented (people, companies, films, clubs ...) but placed in real cities and countries.  Every
document is rendered by rejection sampling: a rendering is redrawn until it satisfies the constraints of all
questions (see `violations`), and the finished set is checked again by `validate` before anything is written.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

SEED = 20240917
HERE = Path(__file__).resolve().parent

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
ORD = ["debut", "second", "third", "fourth", "fifth", "sixth"]

# --------------------------------------------------------------------------------------------------------------
# Countries, cities and names
# --------------------------------------------------------------------------------------------------------------

NATS = {
    "dk": dict(
        country="Denmark",
        adj="Danish",
        suffix="A/S",
        parl="Folketing",
        exch="Nasdaq Copenhagen",
        cities=["Copenhagen", "Aarhus", "Odense", "Aalborg", "Esbjerg"],
        f=["Anna", "Mette", "Signe", "Freja", "Karen", "Ida", "Birgitte"],
        m=["Lars", "Mads", "Søren", "Jesper", "Henrik", "Niels", "Rasmus"],
        sur=[
            "Holt",
            "Kjeldsen",
            "Mortensen",
            "Dalgaard",
            "Bech",
            "Skov",
            "Thygesen",
            "Vestergaard",
            "Lauridsen",
            "Riis",
            "Juhl",
            "Krogh",
            "Winther",
            "Bisgaard",
        ],
    ),
    "no": dict(
        country="Norway",
        adj="Norwegian",
        suffix="AS",
        parl="Storting",
        exch="Oslo Stock Exchange",
        cities=["Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø"],
        f=["Ingrid", "Maren", "Sigrid", "Kari", "Solveig", "Hilde", "Ragnhild"],
        m=["Eirik", "Håkon", "Torbjørn", "Anders", "Magnus", "Sindre", "Vegard"],
        sur=[
            "Solberg",
            "Haugen",
            "Bakke",
            "Lunde",
            "Myhre",
            "Aasen",
            "Brekke",
            "Nygård",
            "Tangen",
            "Røed",
            "Sæther",
            "Fossum",
            "Hovland",
            "Grønli",
        ],
    ),
    "se": dict(
        country="Sweden",
        adj="Swedish",
        suffix="AB",
        parl="Riksdag",
        exch="Nasdaq Stockholm",
        cities=["Stockholm", "Gothenburg", "Malmö", "Uppsala", "Linköping"],
        f=["Elin", "Karin", "Maja", "Linnea", "Astrid", "Ebba", "Sofia"],
        m=["Johan", "Oskar", "Gustav", "Nils", "Erik", "Viktor", "Henrik"],
        sur=[
            "Lindqvist",
            "Bergström",
            "Sundberg",
            "Hedlund",
            "Åkesson",
            "Nyberg",
            "Wallin",
            "Forsberg",
            "Ekström",
            "Holmgren",
            "Lindahl",
            "Sjöberg",
            "Palmqvist",
            "Edgren",
        ],
    ),
    "fi": dict(
        country="Finland",
        adj="Finnish",
        suffix="Oy",
        parl="Eduskunta",
        exch="Nasdaq Helsinki",
        cities=["Helsinki", "Tampere", "Turku", "Oulu", "Jyväskylä"],
        f=["Aino", "Kaisa", "Riikka", "Sanna", "Helmi", "Minna"],
        m=["Juha", "Mikko", "Eero", "Antti", "Ville", "Jarkko"],
        sur=[
            "Virtanen",
            "Mäkelä",
            "Heikkinen",
            "Koskinen",
            "Salonen",
            "Järvinen",
            "Lehtonen",
            "Hämäläinen",
            "Rantanen",
            "Kettunen",
            "Peltola",
            "Saarinen",
        ],
    ),
    "de": dict(
        country="Germany",
        adj="German",
        suffix="GmbH",
        parl="Bundestag",
        exch="Frankfurt Stock Exchange",
        cities=["Berlin", "Hamburg", "Munich", "Cologne", "Stuttgart", "Leipzig", "Dresden", "Bremen"],
        f=["Katrin", "Sabine", "Lena", "Jana", "Ute", "Friederike", "Annika"],
        m=["Jürgen", "Matthias", "Tobias", "Florian", "Dieter", "Stefan", "Volker"],
        sur=[
            "Brenner",
            "Hoffmann",
            "Vogt",
            "Lindner",
            "Krause",
            "Pfeiffer",
            "Seidel",
            "Ritter",
            "Hartmann",
            "Engel",
            "Baumann",
            "Kessel",
            "Wendland",
            "Albrecht",
        ],
    ),
    "nl": dict(
        country="the Netherlands",
        adj="Dutch",
        suffix="B.V.",
        parl="House of Representatives",
        exch="Euronext Amsterdam",
        cities=["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Groningen", "Leiden"],
        f=["Femke", "Sanne", "Anouk", "Marieke", "Lotte", "Ilse"],
        m=["Joost", "Pieter", "Bram", "Maarten", "Sander", "Ruud"],
        sur=[
            "Verhaar",
            "de Wit",
            "Visser",
            "van Dam",
            "Kuipers",
            "Mulder",
            "Dekker",
            "van Leeuwen",
            "Brouwer",
            "Hendriks",
            "Verbeek",
            "Oosterhuis",
            "Kramer",
        ],
    ),
    "be": dict(
        country="Belgium",
        adj="Belgian",
        suffix="NV",
        parl="Chamber of Representatives",
        exch="Euronext Brussels",
        cities=["Brussels", "Antwerp", "Ghent", "Liège", "Bruges"],
        f=["Els", "Lieve", "Sofie", "Griet", "Nathalie"],
        m=["Wouter", "Koen", "Thibaut", "Pieterjan", "Gert"],
        sur=[
            "Peeters",
            "Claes",
            "Maes",
            "Wouters",
            "Janssens",
            "Lambrecht",
            "Goossens",
            "Vermeulen",
            "De Smet",
            "Verstraete",
        ],
    ),
    "fr": dict(
        country="France",
        adj="French",
        suffix="S.A.",
        parl="National Assembly",
        exch="Euronext Paris",
        cities=["Paris", "Lyon", "Marseille", "Toulouse", "Bordeaux", "Nantes", "Lille", "Strasbourg"],
        f=["Camille", "Élodie", "Margaux", "Sophie", "Claire", "Juliette", "Agnès"],
        m=["Julien", "Mathieu", "Antoine", "Olivier", "Thierry", "Laurent", "Benoît"],
        sur=[
            "Moreau",
            "Lefèvre",
            "Girard",
            "Marchand",
            "Dubois",
            "Garnier",
            "Chevalier",
            "Perrin",
            "Lemaire",
            "Caron",
            "Barbier",
            "Roux",
            "Vasseur",
            "Delorme",
        ],
    ),
    "it": dict(
        country="Italy",
        adj="Italian",
        suffix="S.p.A.",
        parl="Chamber of Deputies",
        exch="Borsa Italiana",
        cities=["Rome", "Milan", "Turin", "Naples", "Bologna", "Florence", "Genoa"],
        f=["Lucia", "Chiara", "Giulia", "Francesca", "Elena", "Silvia"],
        m=["Marco", "Luca", "Alessandro", "Matteo", "Davide", "Stefano"],
        sur=[
            "Ferraro",
            "Conti",
            "Marino",
            "Greco",
            "Gallo",
            "Rinaldi",
            "Esposito",
            "Lombardi",
            "Moretti",
            "Barbieri",
            "Santoro",
            "Caputo",
            "Pellegrini",
            "Orlandi",
        ],
    ),
    "es": dict(
        country="Spain",
        adj="Spanish",
        suffix="S.A.",
        parl="Congress of Deputies",
        exch="Madrid Stock Exchange",
        cities=["Madrid", "Barcelona", "Valencia", "Seville", "Bilbao", "Zaragoza", "Málaga"],
        f=["Lucía", "Carmen", "Marta", "Pilar", "Inés", "Nuria"],
        m=["Javier", "Diego", "Sergio", "Álvaro", "Pablo", "Iñigo"],
        sur=[
            "Navarro",
            "Ortega",
            "Serrano",
            "Iglesias",
            "Romero",
            "Castillo",
            "Delgado",
            "Morales",
            "Herrera",
            "Vidal",
            "Molina",
            "Baeza",
            "Arrieta",
            "Echeverría",
        ],
    ),
    "pt": dict(
        country="Portugal",
        adj="Portuguese",
        suffix="S.A.",
        parl="Assembly of the Republic",
        exch="Euronext Lisbon",
        cities=["Lisbon", "Porto", "Coimbra", "Braga", "Faro"],
        f=["Inês", "Beatriz", "Joana", "Mariana"],
        m=["Tiago", "Rui", "Duarte", "Gonçalo"],
        sur=[
            "Ferreira",
            "Carvalho",
            "Sousa",
            "Almeida",
            "Magalhães",
            "Tavares",
            "Fonseca",
            "Lobo",
            "Quintela",
            "Brandão",
        ],
    ),
    "pl": dict(
        country="Poland",
        adj="Polish",
        suffix="S.A.",
        parl="Sejm",
        exch="Warsaw Stock Exchange",
        cities=["Warsaw", "Kraków", "Gdańsk", "Wrocław", "Poznań", "Łódź"],
        f=["Agnieszka", "Katarzyna", "Magdalena", "Zofia", "Joanna"],
        m=["Tomasz", "Piotr", "Marek", "Krzysztof", "Paweł"],
        sur=[
            "Wójcik",
            "Nowak",
            "Mazur",
            "Krawczyk",
            "Kaczmarek",
            "Pawlak",
            "Michalak",
            "Sikora",
            "Wróbel",
            "Zając",
            "Kubiak",
            "Jankowiak",
        ],
    ),
    "cz": dict(
        country="the Czech Republic",
        adj="Czech",
        suffix="a.s.",
        parl="Chamber of Deputies",
        exch="Prague Stock Exchange",
        cities=["Prague", "Brno", "Ostrava", "Plzeň", "Olomouc"],
        f=[],
        m=["Jakub", "Ondřej", "Vojtěch", "Tomáš", "Radek"],
        sur=["Procházka", "Kučera", "Horák", "Beneš", "Fiala", "Sedlák", "Doležal", "Kolář", "Hruška"],
    ),
    "uk": dict(
        country="the United Kingdom",
        adj="British",
        suffix="Ltd.",
        parl="House of Commons",
        exch="London Stock Exchange",
        cities=[
            "London",
            "Manchester",
            "Leeds",
            "Bristol",
            "Glasgow",
            "Edinburgh",
            "Cardiff",
            "Sheffield",
            "Liverpool",
            "Newcastle",
        ],
        f=["Harriet", "Eleanor", "Rachel", "Fiona", "Imogen", "Philippa", "Gemma"],
        m=["Oliver", "Callum", "Gareth", "Alistair", "Hugh", "Rhys", "Duncan"],
        sur=[
            "Whitlock",
            "Pemberton",
            "Ashworth",
            "Thornton",
            "Haddow",
            "Fairbairn",
            "Cheadle",
            "Ellery",
            "Marsden",
            "Holloway",
            "Pryce",
            "Blackwood",
            "Rowntree",
            "Hargreaves",
            "Lockhart",
            "Carrington",
        ],
    ),
    "ie": dict(
        country="Ireland",
        adj="Irish",
        suffix="Ltd.",
        parl="Dáil",
        exch="Euronext Dublin",
        cities=["Dublin", "Cork", "Galway", "Limerick", "Waterford"],
        f=["Aoife", "Niamh", "Orla", "Clodagh", "Sinéad"],
        m=["Declan", "Cillian", "Ronan", "Eoin", "Colm"],
        sur=[
            "Brennan",
            "Moore",
            "Gallagher",
            "Doherty",
            "Keane",
            "Quinlan",
            "Flanagan",
            "Madigan",
            "Tierney",
            "Costigan",
            "Mulcahy",
        ],
    ),
    "us": dict(
        country="the United States",
        adj="American",
        suffix="Inc.",
        parl="House of Representatives",
        exch="Nasdaq",
        cities=[
            "New York",
            "Chicago",
            "Boston",
            "Seattle",
            "Denver",
            "Austin",
            "Portland",
            "Philadelphia",
            "San Diego",
            "Pittsburgh",
        ],
        f=["Megan", "Courtney", "Jessica", "Laurel", "Dana", "Allison"],
        m=["Tyler", "Garrett", "Bradley", "Nathan", "Wesley", "Dwight"],
        sur=[
            "Whitaker",
            "Caldwell",
            "Hollister",
            "Prescott",
            "Dunleavy",
            "McAllister",
            "Harmon",
            "Stroud",
            "Kimball",
            "Tillman",
            "Garrison",
            "Beckett",
            "Pruitt",
            "Vance",
        ],
    ),
    "ca": dict(
        country="Canada",
        adj="Canadian",
        suffix="Inc.",
        parl="House of Commons",
        exch="Toronto Stock Exchange",
        cities=["Toronto", "Montreal", "Vancouver", "Calgary", "Ottawa", "Winnipeg", "Halifax"],
        f=["Brianne", "Chantal", "Geneviève", "Shauna"],
        m=["Étienne", "Graham", "Trent", "Yannick"],
        sur=["Tremblay", "Gagnon", "Bouchard", "MacLeod", "Cormier", "Pelletier", "Lachance", "Boudreau", "Dufresne"],
    ),
    "au": dict(
        country="Australia",
        adj="Australian",
        suffix="Pty Ltd",
        parl="House of Representatives",
        exch="Australian Securities Exchange",
        cities=["Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Hobart"],
        f=["Kylie", "Bronwyn", "Tegan", "Jacinta"],
        m=["Lachlan", "Brodie", "Hamish", "Darcy"],
        sur=["Kennard", "Pritchett", "Lawless", "Tully", "Redmond", "Cronin", "Merrick", "Bassett"],
    ),
    "jp": dict(
        country="Japan",
        adj="Japanese",
        suffix="Co., Ltd.",
        parl="House of Representatives",
        exch="Tokyo Stock Exchange",
        cities=["Tokyo", "Osaka", "Kyoto", "Nagoya", "Sapporo", "Fukuoka", "Yokohama"],
        f=["Yuki", "Haruka", "Aiko", "Emi", "Sakura"],
        m=["Kenji", "Takeshi", "Daisuke", "Hiroshi", "Shota"],
        sur=[
            "Tanaka",
            "Morimoto",
            "Ishikawa",
            "Fujita",
            "Okada",
            "Nakamura",
            "Hayashi",
            "Kobayashi",
            "Matsuda",
            "Inoue",
            "Ueda",
            "Shimizu",
        ],
    ),
    "kr": dict(
        country="South Korea",
        adj="South Korean",
        suffix="Co., Ltd.",
        parl="National Assembly",
        exch="Korea Exchange",
        cities=["Seoul", "Busan", "Incheon", "Daegu"],
        f=["Ji-woo", "Seo-yeon", "Min-ji", "Ha-eun"],
        m=["Min-jun", "Ji-hoon", "Hyun-woo", "Do-yoon"],
        sur=["Choi", "Jeong", "Kang", "Yoon", "Seo", "Hwang", "Baek"],
    ),
    "br": dict(
        country="Brazil",
        adj="Brazilian",
        suffix="S.A.",
        parl="Chamber of Deputies",
        exch="B3",
        cities=["São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba", "Recife", "Salvador"],
        f=["Fernanda", "Larissa", "Camila", "Renata"],
        m=["Rafael", "Thiago", "Gustavo", "Leandro"],
        sur=["Moraes", "Barbosa", "Nogueira", "Cardoso", "Azevedo", "Teixeira", "Siqueira", "Bezerra"],
    ),
    "mx": dict(
        country="Mexico",
        adj="Mexican",
        suffix="S.A. de C.V.",
        parl="Chamber of Deputies",
        exch="Mexican Stock Exchange",
        cities=["Mexico City", "Guadalajara", "Monterrey", "Puebla"],
        f=["Guadalupe", "Ximena", "Valeria"],
        m=["Rodrigo", "Emiliano", "Arturo"],
        sur=["Villarreal", "Guerrero", "Salazar", "Ibarra", "Zamora", "Cordero", "Treviño"],
    ),
    "ar": dict(
        country="Argentina",
        adj="Argentine",
        suffix="S.A.",
        parl="Chamber of Deputies",
        exch="Buenos Aires Stock Exchange",
        cities=["Buenos Aires", "Córdoba", "Rosario", "Mendoza"],
        f=["Florencia", "Agustina", "Rocío"],
        m=["Matías", "Facundo", "Nicolás"],
        sur=["Quiroga", "Sosa", "Benítez", "Acosta", "Medina", "Funes", "Peralta"],
    ),
    "hu": dict(
        country="Hungary",
        adj="Hungarian",
        suffix="Zrt.",
        parl="National Assembly",
        exch="Budapest Stock Exchange",
        cities=["Budapest", "Debrecen", "Szeged", "Pécs"],
        f=["Zsófia", "Eszter", "Réka"],
        m=["Bence", "Gábor", "Zoltán"],
        sur=["Horváth", "Szabó", "Kovács", "Tóth", "Farkas", "Balogh", "Varga", "Takács"],
    ),
    "at": dict(
        country="Austria",
        adj="Austrian",
        suffix="GmbH",
        parl="National Council",
        exch="Vienna Stock Exchange",
        cities=["Vienna", "Graz", "Salzburg", "Linz", "Innsbruck"],
        f=["Theresa", "Verena", "Christl"],
        m=["Lukas", "Bernhard", "Klemens"],
        sur=["Gruber", "Huber", "Pichler", "Moser", "Steiner", "Hofer", "Leitner", "Eder"],
    ),
    "ch": dict(
        country="Switzerland",
        adj="Swiss",
        suffix="AG",
        parl="National Council",
        exch="SIX Swiss Exchange",
        cities=["Zurich", "Geneva", "Basel", "Bern", "Lausanne"],
        f=["Corinne", "Seraina", "Nadine"],
        m=["Reto", "Urs", "Andri"],
        sur=["Ammann", "Brunner", "Keller", "Zbinden", "Frei", "Gerber", "Tschudi", "Wyss"],
    ),
    "gr": dict(
        country="Greece",
        adj="Greek",
        suffix="S.A.",
        parl="Hellenic Parliament",
        exch="Athens Exchange",
        cities=["Athens", "Thessaloniki", "Patras", "Heraklion"],
        f=["Eleni", "Katerina", "Despina"],
        m=["Nikos", "Yannis", "Dimitris"],
        sur=["Papadakis", "Karagiannis", "Nikolaidis", "Vlachos", "Georgiou", "Stavrou", "Mavridis"],
    ),
}
# Surnames for people who are only ever named in lists (board members, founders, coaches ...).  Disjoint from the
# surnames above, which belong to people with their own article and are unique across the whole corpus.
EXTRA_SUR = {
    "dk": ["Nørgaard", "Poulsen", "Frandsen", "Kirkegaard", "Overgaard", "Toft"],
    "no": ["Eide", "Bjørnstad", "Hagen", "Moen", "Rønning", "Sand"],
    "se": ["Lund", "Ahlberg", "Blom", "Engström", "Fransson", "Hultgren"],
    "fi": ["Nieminen", "Aalto", "Hakala", "Laaksonen", "Tuominen"],
    "de": ["Schuster", "Lorenz", "Möller", "Kaiser", "Sommer", "Roth"],
    "nl": ["Bos", "Vermeer", "de Graaf", "Postma", "Smits"],
    "be": ["Claeys", "Dewulf", "Mertens", "Jacobs"],
    "fr": ["Fournier", "Mercier", "Blanc", "Guérin", "Bonnet", "Faure"],
    "it": ["Ricci", "Villa", "Testa", "Mancini", "Sala", "Fabbri"],
    "es": ["Gil", "Cano", "Prieto", "Lozano", "Soler", "Pascual"],
    "pt": ["Correia", "Pinto", "Mendes", "Neves"],
    "pl": ["Wieczorek", "Dudek", "Adamczyk", "Majewski", "Czarnecki"],
    "cz": ["Novák", "Svoboda", "Černý", "Marek"],
    "uk": ["Fletcher", "Goddard", "Hume", "Kirby", "Lomax", "Naylor", "Radcliffe", "Sutcliffe"],
    "ie": ["Byrne", "Hegarty", "Lynch", "Nolan", "Walsh"],
    "us": ["Abbott", "Bishop", "Carver", "Dalton", "Fuller", "Hayes", "Lowell"],
    "ca": ["Gauthier", "Leblanc", "Ouellet", "Robichaud", "Stewart"],
    "au": ["Barlow", "Doyle", "Heffernan", "McCabe", "Piper"],
    "jp": ["Sasaki", "Yamamoto", "Watanabe", "Kimura", "Endo"],
    "kr": ["Lim", "Shin", "Oh", "Kwon"],
    "br": ["Ribeiro", "Rocha", "Dias", "Monteiro", "Pacheco"],
    "mx": ["Ruiz", "Mendoza", "Aguilar", "Castañeda"],
    "ar": ["Giménez", "Luna", "Pereyra", "Rojas"],
    "hu": ["Molnár", "Németh", "Lakatos", "Simon"],
    "at": ["Wallner", "Reiter", "Aigner", "Schwarz"],
    "ch": ["Meier", "Baumgartner", "Studer", "Lüthi"],
    "gr": ["Economou", "Papadopoulos", "Antoniou", "Dimitriou"],
}
NAT_KEYS = sorted(NATS)
LANG = {
    "dk": "Danish",
    "no": "Norwegian",
    "se": "Swedish",
    "fi": "Finnish",
    "de": "German",
    "nl": "Dutch",
    "be": "Dutch",
    "fr": "French",
    "it": "Italian",
    "es": "Spanish",
    "pt": "Portuguese",
    "pl": "Polish",
    "cz": "Czech",
    "uk": "English",
    "ie": "English",
    "us": "English",
    "ca": "English",
    "au": "English",
    "jp": "Japanese",
    "kr": "Korean",
    "br": "Portuguese",
    "mx": "Spanish",
    "ar": "Spanish",
    "hu": "Hungarian",
    "at": "German",
    "ch": "German",
    "gr": "Greek",
}
CITY_NAT = {c: k for k, n in NATS.items() for c in n["cities"]}
NOW = 2024  # the corpus is written as of this year; no event is dated later
ALL_CITIES = sorted(CITY_NAT)


def country_of(city: str) -> str:
    return NATS[CITY_NAT[city]]["country"]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def poss(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def a_an(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def join_and(items: list[str]) -> str:
    items = list(items)
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def the(name: str) -> str:
    """Noun phrase with a leading article for names that take one ("the Civic Renewal Party")."""
    return name if name.startswith("The ") else "the " + name


def inst(name: str) -> str:
    """Institutions: "the University of Eastmoor", "the Vallmark Institute of Technology", but "Kingsreach University"."""
    return "the " + name if (" of " in name or name.startswith("Royal ")) else name


# --------------------------------------------------------------------------------------------------------------
# Pools of invented names
# --------------------------------------------------------------------------------------------------------------

COMPANY_PREFIXES = [
    "Brightwater",
    "Kestrel",
    "Northgate",
    "Silverline",
    "Ironbridge",
    "Redfern",
    "Alderbrook",
    "Bluestone",
    "Corvid",
    "Emberly",
    "Fernhill",
    "Glasswing",
    "Juniper",
    "Lattice",
    "Nimbus",
    "Orrin",
    "Pinecrest",
    "Quillon",
    "Ravelin",
    "Saltmarsh",
    "Tessel",
    "Umberfield",
    "Vantor",
    "Wrenfield",
    "Yarrowby",
    "Arclight",
    "Bellhaven",
    "Cobaltline",
    "Driftmark",
    "Foxhollow",
    "Greywater",
    "Heliodor",
    "Inkwell",
    "Lodestar",
    "Moorcroft",
    "Northwind",
    "Oakhurst",
    "Starling",
    "Westmarch",
    "Copperleaf",
    "Ashgrove",
    "Blackmere",
    "Clearwater",
    "Deepfield",
    "Evenstar",
    "Frostline",
    "Goldcrest",
    "Hawkridge",
    "Larchmont",
    "Mistral Peak",
]

EMPLOYER_SECTORS = [  # (sector word, industry, professions that fit)
    (
        "Analytics",
        "data-analytics software",
        ["data scientist", "software engineer", "economist", "user-experience researcher"],
    ),
    ("Biologics", "biotechnology", ["biochemist", "chemical engineer", "data scientist"]),
    ("Logistics", "freight and logistics", ["economist", "data scientist", "marketing executive"]),
    ("Energy", "renewable-energy", ["materials engineer", "economist", "chemical engineer"]),
    ("Aerospace", "aerospace engineering", ["aerospace engineer", "materials engineer", "software engineer"]),
    ("Therapeutics", "pharmaceutical", ["biochemist", "chemical engineer", "marketing executive"]),
    ("Semiconductors", "semiconductor design", ["materials engineer", "software engineer", "chemical engineer"]),
    ("Materials", "advanced-materials", ["materials engineer", "chemical engineer", "industrial designer"]),
    ("Software", "enterprise software", ["software engineer", "user-experience researcher", "data scientist"]),
    ("Robotics", "industrial robotics", ["software engineer", "aerospace engineer", "industrial designer"]),
    ("Foods", "food-processing", ["biochemist", "chemical engineer", "marketing executive"]),
    ("Textiles", "technical-textiles", ["materials engineer", "industrial designer", "marketing executive"]),
]
MAKER_PROFS = [
    "industrial designer",
    "software engineer",
    "materials engineer",
    "marketing executive",
    "user-experience researcher",
]

PRODUCT_KINDS = {
    "camera": dict(
        sectors=["Optics", "Imaging"],
        industry="camera and optics",
        noun="mirrorless camera",
        qnoun="camera",
        does="designs and manufactures cameras, lenses and flashes",
        specs=[
            "It has a {n1}-megapixel full-frame sensor and in-body image stabilisation.",
            "The body is weather-sealed and weighs {n2} grams without a lens.",
            "It records 4K video at up to {n3} frames per second.",
        ],
        good=["compact body", "colour rendering", "autofocus"],
        bad=["short battery life", "small grip"],
    ),
    "headphones": dict(
        sectors=["Audio", "Acoustics"],
        industry="consumer-audio",
        noun="pair of wireless headphones",
        qnoun="headphones",
        does="makes headphones, loudspeakers and studio monitors",
        specs=[
            "They offer active noise cancellation and up to {n4} hours of battery life.",
            "The drivers are {n5} millimetres in diameter.",
            "The ear cushions are made of protein leather over memory foam.",
        ],
        good=["sound quality", "comfort"],
        bad=["bulky case", "touch controls"],
    ),
    "synth": dict(
        sectors=["Instruments", "Electronics"],
        industry="electronic musical instrument",
        noun="polyphonic analogue synthesizer",
        qnoun="synthesizer",
        does="builds synthesizers, drum machines and effects units",
        specs=[
            "It has {n6} voices, each with two oscillators and a ladder filter.",
            "The front panel has {n7} knobs and a 37-key keyboard.",
            "A built-in sequencer stores up to 64 steps.",
        ],
        good=["warm sound", "hands-on panel"],
        bad=["high price", "limited memory"],
    ),
    "ebike": dict(
        sectors=["Cycles", "Mobility"],
        industry="bicycle",
        noun="electric cargo bicycle",
        qnoun="e-bike",
        does="designs and sells bicycles and electric bicycles",
        specs=[
            "It uses a mid-drive motor and a {n8} Wh battery.",
            "The aluminium frame carries loads of up to {n9} kilograms.",
            "Its range is quoted as about {n10} kilometres.",
        ],
        good=["stable handling", "range"],
        bad=["weight", "expensive spare parts"],
    ),
    "drone": dict(
        sectors=["Aerial", "Dynamics"],
        industry="drone",
        noun="foldable camera drone",
        qnoun="drone",
        does="develops consumer and survey drones",
        specs=[
            "It has a flight time of about {n11} minutes.",
            "Its gimbal camera records 4K video.",
            "The folded drone weighs {n12} grams.",
        ],
        good=["stable footage", "portability"],
        bad=["noisy motors", "app"],
    ),
    "watch": dict(
        sectors=["Watchworks", "Horology"],
        industry="watchmaking",
        noun="automatic wristwatch",
        qnoun="watch",
        does="makes mechanical wristwatches and clocks",
        specs=[
            "It uses an in-house automatic movement with a {n13}-hour power reserve.",
            "The steel case is {n14} millimetres wide.",
            "The dial is made of enamel.",
        ],
        good=["finishing", "legibility"],
        bad=["thickness", "price"],
    ),
    "espresso": dict(
        sectors=["Appliances", "Kitchenworks"],
        industry="kitchen-appliance",
        noun="dual-boiler espresso machine",
        qnoun="espresso machine",
        does="manufactures coffee machines and kitchen appliances",
        specs=[
            "It has two boilers and a rotary pump.",
            "The water tank holds {n15} litres.",
            "A PID controller keeps the brew temperature stable.",
        ],
        good=["temperature stability", "build quality"],
        bad=["long warm-up", "loud pump"],
    ),
    "printer": dict(
        sectors=["Fabrication", "Additive"],
        industry="3D-printing",
        noun="desktop 3D printer",
        qnoun="3D printer",
        does="makes 3D printers and printing materials",
        specs=[
            "Its build volume is {n16} by {n16} by {n16} millimetres.",
            "It prints with a 0.4 millimetre nozzle at up to {n17} millimetres per second.",
            "An enclosed chamber allows printing of engineering plastics.",
        ],
        good=["reliability", "print quality"],
        bad=["noisy fans", "proprietary spools"],
    ),
}

PRODUCT_BASES = [
    "Zephyr",
    "Aria",
    "Halcyon",
    "Tundra",
    "Marlin",
    "Orbit",
    "Pulse",
    "Vireo",
    "Strata",
    "Kite",
    "Lumen",
    "Sable",
    "Cirrus",
    "Talon",
    "Quasar",
    "Fjord",
    "Corsa",
    "Solstice",
    "Boreal",
    "Helix",
    "Onyx",
    "Pika",
    "Juno",
    "Rhea",
    "Kairo",
    "Merlo",
    "Tessa",
    "Vela",
    "Ostra",
    "Brio",
    "Nox",
    "Lyra",
]
MODEL_SUFFIXES = ["300", "X2", "S7", "Pro 2", "Mini", "One", "T450", "M2", "40", "Air", "Duo", "9", "500", "R", "Max"]

FILM_TITLES = [
    "The Glass Orchard",
    "Winter Lanterns",
    "A Map of Small Rivers",
    "Salt and Iron",
    "The Quiet Harbour",
    "Northern Crossing",
    "Borrowed Summers",
    "The Clockmaker's Silence",
    "Ashes of Marigold",
    "Under a Copper Sky",
    "Paper Boats",
    "The Ferryman's Daughter",
    "Low Light",
    "The Weight of Snow",
    "Hollow Season",
    "Whistling Dunes",
    "The Last Tram",
    "Silent Acre",
    "Nine Bells",
    "Grey Gulls",
    "The Iron Shepherd",
    "Midsummer Debts",
    "A House Without Doors",
    "The Cartographer's Wife",
    "Fog Over Mercy Bay",
    "The Long Thaw",
    "Small Hours",
    "The Wolves of Ardent Hill",
    "Kingdom of Moths",
    "The Tin Crown",
    "Bitter Almonds",
    "The Night Ferry",
    "Little Tremors",
    "Under the Linden",
    "The Sleeping Valley",
    "Red Kites",
    "The Apiarist",
]
FILM_GENRES = [
    "drama",
    "thriller",
    "comedy-drama",
    "crime thriller",
    "historical drama",
    "science-fiction",
    "romantic comedy",
    "psychological horror",
    "coming-of-age drama",
    "war drama",
]
FILM_PLOTS = [
    "a retired ferry captain who agrees to smuggle a stranger across the border",
    "two estranged sisters who inherit a failing apple farm",
    "a night-shift nurse who begins receiving letters from a patient who has died",
    "a teenage chess prodigy and her disillusioned coach",
    "a family of lighthouse keepers during the last winter before automation",
    "a forger who is hired to restore the painting he once copied",
    "a group of miners trapped underground after a collapse",
    "a widowed beekeeper whose hives start to fail one by one",
    "a young translator caught between two rival delegations",
    "a travelling circus stranded in a snowbound village",
]
FESTIVALS = [
    "Lakeshore Film Festival",
    "Northern Lights Film Festival",
    "Cinema Nova Festival",
    "Atlantic Screen Festival",
    "Meridiana Film Festival",
]
FILM_SCHOOLS = [
    "National Film School",
    "Academy of Performing Arts",
    "School of Film and Television",
    "Institute of Cinematography",
]
PROD_COS = [
    "Fjordlight Pictures",
    "Tallgrass Films",
    "Halfmoon Productions",
    "Greenroom Film",
    "Stillwater Studios",
    "Bluebell Pictures",
]

ALBUM_TITLES = [
    "Paper Lanterns",
    "Salt Songs",
    "Static Bloom",
    "Harbour Lights",
    "Glass Weather",
    "Northern Tides",
    "Velvet Machines",
    "Quiet Riots",
    "Fever Dream Motel",
    "Cathedral of Rain",
    "Slow Satellites",
    "Tin Roof Hymns",
    "Neon Chapel",
    "Hollow Bones",
    "Concrete Gardens",
    "Ghost Frequencies",
    "Undertow",
    "Lowlands",
    "Polaroid Summer",
    "Wire and Bone",
    "Sundial",
    "Cold Light Sermons",
    "Distant Relatives",
    "Parallel Rooms",
    "Kerosene Hearts",
    "Small Victories",
    "Tidal Memory",
    "The Ash Year",
    "Marigold Radio",
    "Blue Cassette",
    "Winter Pylons",
    "Chalk Horses",
    "A Room Full of Weather",
    "Satellite Hymnal",
    "Brass Moon",
    "Orange Static",
    "Ferris Wheel Requiem",
    "Dead Reckoning",
    "Honey Thieves",
    "Lucky Knots",
    "Pale Estate",
    "Quiet Arsonists",
]
BANDS = [
    "The Velvet Owls",
    "Northern Static",
    "The Lantern Society",
    "Tin Apostles",
    "The Midnight Cartographers",
    "Blue Harbour Choir",
    "The Silver Moths",
    "Fever Coast",
    "The Quiet Engines",
    "Marble Arcade",
    "The Driftwood Saints",
    "Cold Meridian",
    "The Paper Hearts",
    "Low Tide Parade",
    "Glasshouse Radio",
    "The Wandering Lakes",
    "Copper Lungs",
    "The Hollow Kings",
]
BAND_GENRES = [
    "indie rock",
    "post-punk",
    "dream pop",
    "folk rock",
    "synth-pop",
    "alternative rock",
    "shoegaze",
    "indie folk",
]
LABELS = [
    "Larkfield Records",
    "Sleet Records",
    "Tidewater Music",
    "Ninth Harbour Recordings",
    "Greyhound Sound",
    "Pale Fire Records",
    "Moth Hall Records",
    "Outer Rim Records",
]
STUDIOS = [
    "Rockfield Barn",
    "Echo Chamber Studios",
    "Studio Nordhavn",
    "Kingsway Rooms",
    "The Boathouse",
    "Saltwell Studios",
]
CHARTS = ["national albums chart", "independent albums chart"]
MUSIC_PRIZES = ["Northern Music Prize", "Independent Album of the Year Award"]

UNIVERSITIES = [  # (name, nat)
    ("University of Eastmoor", "uk"),
    ("Kingsreach University", "us"),
    ("Vallmark Institute of Technology", "se"),
    ("Royal Halcombe College", "uk"),
    ("Aldermere University", "ca"),
    ("Lindholm University", "dk"),
    ("Ostervik University", "no"),
    ("Westbrook Institute of Technology", "us"),
    ("University of Carrowmore", "ie"),
    ("Hallenberg University", "de"),
    ("Valdarno Polytechnic", "it"),
    ("University of Bramhall", "au"),
    ("Grenmoor School of Economics", "uk"),
    ("Kessingland University", "nl"),
]

PUBLISHERS = [
    "Larkspur Press",
    "Ormond & Vale",
    "Blackthorn Books",
    "Harrow House Publishing",
    "Kittiwake Editions",
    "Quillfeather Press",
    "Stonechat Publishing",
    "Ferrous Editions",
    "Gannet & Lowe",
    "Bramble Hill Books",
    "Ninefold Press",
    "Marchmont Editions",
]
BOOK_TITLES = [
    "The Salt Cartographer",
    "A Season of Hornets",
    "Letters from the Ice Road",
    "The Silk Auditor",
    "Rain on Greyling Street",
    "The Ninth Apprentice",
    "A Grammar of Wolves",
    "The Lamplighter's Ledger",
    "Cartwheels",
    "The Hungry Shore",
    "The Winter Assessor",
    "Small Kindnesses",
    "The Orphan Archive",
    "Kingfisher Year",
    "The Glass Abbey",
    "A Field Guide to Leaving",
    "The Drowned Parish",
    "Copper Weather",
    "The Bellfounder",
    "The Quiet Cartel",
    "The Marsh Chronicles",
    "The Last Telegraph",
    "Ink and Ashes",
    "The Pilot's Almanac",
]
BOOK_GENRES = ["novel", "historical novel", "crime novel", "short-story collection", "memoir", "literary novel"]
BOOK_PLOTS = [
    "a cartographer hired to redraw a coastline that keeps moving",
    "three generations of a fishing family",
    "an auditor sent to close a provincial silk mill",
    "a boy apprenticed to a bell foundry",
    "a telegraph operator during a long strike",
    "a widow who reopens her husband's bookshop",
    "a village drowned to make way for a reservoir",
    "two brothers who run rival ferry services",
]
BOOK_PRIZES = ["Harbour Prize for Fiction", "European Debut Novel Award"]

CLUBS = [  # (core, full name, sport, nat, town, country label, stadium)
    ("FC Nordvik", "Fotballklubben Nordvik", "football", "no", "Nordvik", "Norway", "Kvernvik Arena"),
    ("Harwick Rovers", "Harwick Rovers F.C.", "football", "uk", "Harwick", "England", "Morland Park"),
    ("AC Montorio", "Associazione Calcio Montorio", "football", "it", "Montorio", "Italy", "Stadio Vittorio Pace"),
    ("CD Valderrey", "Club Deportivo Valderrey", "football", "es", "Valderrey", "Spain", "Estadio Los Álamos"),
    ("IF Sundvik", "Idrottsföreningen Sundvik", "football", "se", "Sundvik", "Sweden", "Ekbacken Arena"),
    ("Aldergate Athletic", "Aldergate Athletic F.C.", "football", "uk", "Aldergate", "England", "Ashfield Lane"),
    ("Dunrae Thistle", "Dunrae Thistle F.C.", "football", "uk", "Dunrae", "Scotland", "Glenrae Park"),
    (
        "VfB Eichstedt",
        "Verein für Bewegungsspiele Eichstedt",
        "football",
        "de",
        "Eichstedt",
        "Germany",
        "Eichwald-Stadion",
    ),
    ("SV Rotheim", "Sportverein Rotheim 1912", "football", "de", "Rotheim", "Germany", "Brunnenfeld Stadium"),
    ("Olympique Valrose", "Olympique de Valrose", "football", "fr", "Valrose", "France", "Stade des Tilleuls"),
    (
        "SC Ribeirinha",
        "Sport Clube da Ribeirinha",
        "football",
        "pt",
        "Ribeirinha",
        "Portugal",
        "Estádio da Ribeira Nova",
    ),
    ("KS Wierzbin", "Klub Sportowy Wierzbin", "football", "pl", "Wierzbin", "Poland", "Stadion na Górce"),
    ("HC Järvelä", "Hockey Club Järvelä", "ice hockey", "fi", "Järvelä", "Finland", "Koivula Areena"),
    ("Brynsfors IK", "Brynsfors Idrottsklubb", "ice hockey", "se", "Brynsfors", "Sweden", "Brynsfors Ishall"),
    ("EHC Talberg", "Eishockeyclub Talberg", "ice hockey", "ch", "Talberg", "Switzerland", "Eishalle Talmatt"),
    ("FK Lesná", "Fotbalový klub Lesná", "football", "cz", "Lesná", "the Czech Republic", "Stadion u Lípy"),
    ("Ballycarra Celtic", "Ballycarra Celtic F.C.", "football", "ie", "Ballycarra", "Ireland", "Carrowbeg Road"),
    ("SK Brennheim", "Sportklub Brennheim", "football", "at", "Brennheim", "Austria", "Auwiesen-Stadion"),
]
FOOT_POS = [
    "goalkeeper",
    "centre-back",
    "full-back",
    "defensive midfielder",
    "winger",
    "striker",
    "attacking midfielder",
]
HOCKEY_POS = ["defenceman", "centre", "goaltender", "winger"]

BUILDINGS = [  # (name, type, tall)
    ("Calder Tower", "office skyscraper", True),
    ("Saltmarket Library", "public library", False),
    ("Aurelia Concert Hall", "concert hall", False),
    ("Torre Levante", "residential tower", True),
    ("Nordlys Opera House", "opera house", False),
    ("Copperfield Station", "railway station", False),
    ("Ostkaj Tower", "mixed-use tower", True),
    ("Kingsgate Court", "residential complex", False),
    ("Zenith Centre", "arts centre", False),
    ("Palazzo Vetro", "office building", True),
    ("Edificio Mirador Sur", "residential tower", True),
    ("Harbour Gate Tower", "office skyscraper", True),
    ("Glashaus am Kanal", "exhibition hall", False),
    ("Pavilhão do Sol", "exhibition pavilion", False),
    ("Veldt Concert Hall", "concert hall", False),
    ("Elmwood Observatory", "observatory", False),
    ("Kastanje Library", "university library", False),
    ("Norrtull Towers", "pair of residential towers", True),
    ("Marisol Tower", "hotel tower", True),
    ("Spiral Court", "office complex", False),
    ("Tidewater Ferry Terminal", "ferry terminal", False),
    ("Lumen Science Museum", "science museum", False),
]

SHIPS = [
    "Aurora Fjell",
    "Nordic Swan",
    "Isle of Kerrera",
    "Baltic Pearl",
    "Vesterhav",
    "Ardmore Spirit",
    "Kronvik",
    "Polar Wren",
    "Estrella del Norte",
    "Celtic Dawn",
    "Hanseatic Star",
    "Frisian Belle",
    "Pride of Ardcairn",
    "Lysefjord Queen",
    "Costa Azzurra",
    "Saga Borealis",
    "Midnight Tern",
    "Stella Maris II",
]
SHIP_TYPES = [
    "cruise ferry",
    "ro-pax ferry",
    "passenger ferry",
    "expedition cruise ship",
    "car ferry",
    "research vessel",
]
SHIPYARDS = [  # (core, suffix form, city)
    ("Harland Vos Shipyard", "Harland Vos Shipyard Ltd.", "Gdańsk"),
    ("Baltic Crown Shipyard", "Baltic Crown Shipyard S.A.", "Szczecin"),
    ("Kaldera Marine Works", "Kaldera Marine Works Oy", "Rauma"),
    ("Sørhavn Shipbuilding", "Sørhavn Shipbuilding AS", "Ulsteinvik"),
    ("Astillero Puerto Gris", "Astillero Puerto Gris S.A.", "Vigo"),
    ("Cantieri Navali Aurelio", "Cantieri Navali Aurelio S.p.A.", "Trieste"),
    ("Werft Nordmole", "Werft Nordmole GmbH", "Rostock"),
    ("Vikstrand Verft", "Vikstrand Verft AS", "Stavanger"),
    ("Inchbrae Shipbuilders", "Inchbrae Shipbuilders Ltd.", "Belfast"),
    ("Saaristo Yards", "Saaristo Yards Oy", "Turku"),
    ("Chantiers de l'Estuaire", "Chantiers de l'Estuaire S.A.", "Saint-Nazaire"),
    ("Kattegat Værft", "Kattegat Værft A/S", "Frederikshavn"),
]
SHIPYARD_COUNTRY = {
    "Gdańsk": "Poland",
    "Szczecin": "Poland",
    "Rauma": "Finland",
    "Ulsteinvik": "Norway",
    "Vigo": "Spain",
    "Trieste": "Italy",
    "Rostock": "Germany",
    "Stavanger": "Norway",
    "Belfast": "the United Kingdom",
    "Turku": "Finland",
    "Saint-Nazaire": "France",
    "Frederikshavn": "Denmark",
}
OPERATORS = [  # (name, waters, ports)
    ("Nordsjø Line", "the North Sea", ["Bergen", "Stavanger", "Aberdeen", "Hirtshals", "Kristiansand"]),
    ("Baltic Star Ferries", "the Baltic", ["Helsinki", "Tallinn", "Stockholm", "Riga", "Turku", "Rostock"]),
    ("Hebridean Link", "Scottish waters", ["Oban", "Ullapool", "Stornoway", "Castlebay", "Tobermory"]),
    ("Adriatica Lines", "the Adriatic", ["Bari", "Split", "Ancona", "Dubrovnik", "Trieste"]),
    ("Kattegat Ferries", "the Kattegat and Skagerrak", ["Frederikshavn", "Gothenburg", "Oslo", "Grenaa", "Halmstad"]),
    ("Biscay Crossings", "the Bay of Biscay", ["Santander", "Portsmouth", "Bilbao", "Plymouth", "Roscoff"]),
]

RIVERS = [  # (core, article title, nat, region, country label, sea, mouth, nearby city, towns on it)
    (
        "River Callow",
        "River Callow",
        "uk",
        "Lincolnshire",
        "England",
        "North Sea",
        "Saltfleet Haven",
        "Sheffield",
        ["Kelmsford", "Market Stainby", "Thornleigh"],
    ),
    (
        "River Ennick",
        "River Ennick",
        "ie",
        "County Wexford",
        "Ireland",
        "Celtic Sea",
        "Kilbrannagh",
        "Waterford",
        ["Carrigmore", "Ballykeeran"],
    ),
    (
        "River Lethan",
        "River Lethan",
        "uk",
        "Gwynedd",
        "Wales",
        "Irish Sea",
        "Porth Lethan",
        "Liverpool",
        ["Llandeiniol", "Brynmawr Isaf"],
    ),
    (
        "Vesla",
        "Vesla (river)",
        "no",
        "Møre og Romsdal",
        "Norway",
        "Norwegian Sea",
        "Veslaøyra",
        "Trondheim",
        ["Vesleby", "Hølstad"],
    ),
    (
        "Orlenne",
        "Orlenne",
        "fr",
        "Charente-Maritime",
        "France",
        "Bay of Biscay",
        "Port-des-Sables",
        "Bordeaux",
        ["Montfleury", "Coursan-le-Bas"],
    ),
    (
        "Versano",
        "Versano (river)",
        "it",
        "the Marche",
        "Italy",
        "Adriatic Sea",
        "Porto Versano",
        "Bologna",
        ["Castelvaro", "San Lorenzo in Piano"],
    ),
    ("Drossa", "Drossa", "pl", "Pomerania", "Poland", "Baltic Sea", "Drossujście", "Gdańsk", ["Drosno", "Lipowiec"]),
    (
        "Ramsälven",
        "Ramsälven",
        "se",
        "Västerbotten",
        "Sweden",
        "Gulf of Bothnia",
        "Ramsöhamn",
        "Uppsala",
        ["Ljungholm", "Åsele Norra"],
    ),
    (
        "Tormella",
        "Tormella",
        "es",
        "Catalonia",
        "Spain",
        "Balearic Sea",
        "Platja de Tormella",
        "Barcelona",
        ["Vilatormes", "Sant Pere de Riu"],
    ),
    (
        "Ilvaro",
        "Ilvaro",
        "it",
        "Liguria",
        "Italy",
        "Ligurian Sea",
        "Marina d'Ilvaro",
        "Genoa",
        ["Roccaverde", "Pietrabella"],
    ),
    (
        "Sauvette",
        "Sauvette",
        "fr",
        "Normandy",
        "France",
        "English Channel",
        "Port-Sauvette",
        "Lille",
        ["Saint-Ouen-des-Prés", "Bréville-sur-Mer"],
    ),
    (
        "Wessel",
        "Wessel (river)",
        "de",
        "Lower Saxony",
        "Germany",
        "North Sea",
        "Wesselsiel",
        "Bremen",
        ["Wesselbrück", "Eichsfelde"],
    ),
]
DISTRICTS = {
    "England": "Westmere District",
    "Wales": "Eifionydd Uchaf District",
    "Ireland": "Hollin Vale Municipal District",
    "Norway": "Indre Nordmøre Region",
    "France": "Communauté de communes du Val d'Aunis",
    "Italy": "Unione dei Comuni della Valle Alta",
    "Poland": "Powiat kaszubski",
    "Sweden": "Inre Norrlands kommunalförbund",
    "Spain": "Comarca de l'Alt Riu",
    "Germany": "Samtgemeinde Geestland",
}

PAINTINGS = [
    "Harbour at Dusk",
    "Woman with a Blue Shawl",
    "The Ropemaker's Yard",
    "Girl Reading by a Window",
    "Snow on the Lagoon",
    "Fishermen Mending Nets",
    "The Red Parasol",
    "Storm over the Polder",
    "The Absinthe Seller",
    "Lamplight Supper",
    "Morning at the Salt Works",
    "The Violin Lesson",
    "Haymakers Resting",
    "Still Life with Quinces",
    "The Flooded Meadow",
    "Washerwomen at Noon",
]
MUSEUMS = [  # (core, alternative name, nat)
    ("Kessler Museum of Art", "the Kessler", "us"),
    ("Halvorsen Collection", "Halvorsen Art Foundation", "no"),
    ("Musée Valmont", "Valmont Museum", "fr"),
    ("Galleria Caravella", "Caravella Gallery", "it"),
    ("Museum Het Wevershuis", "the Weavers' House Museum", "nl"),
    ("Bramwell Gallery", "Bramwell Art Gallery and Museum", "uk"),
    ("Museo Casa Loriente", "Loriente House Museum", "es"),
    ("Ostmark Kunsthalle", "Kunsthalle Ostmark", "de"),
    ("Museu Quinta das Laranjeiras", "Laranjeiras Museum", "pt"),
    ("Sjöholm Art Museum", "Sjöholms konstmuseum", "se"),
    ("Vesterhavn Kunstmuseum", "Vesterhavn Art Museum", "dk"),
]

PARTIES = [  # (core, abbreviation, ideology)
    ("Civic Renewal Party", "CRP", "centrist"),
    ("Green Coast Alliance", "GCA", "green"),
    ("National Farmers' League", "NFL", "agrarian"),
    ("Liberal Forward", "LF", "liberal"),
    ("Social Union Party", "SUP", "social-democratic"),
    ("Northern Progress Party", "NPP", "regionalist"),
    ("Democratic Horizon", "DH", "centre-right"),
    ("Heritage and Labour Party", "HLP", "national-conservative"),
    ("New Centre Union", "NCU", "centrist"),
    ("People's Compass", "PC", "populist"),
]
PARTY_NATS = ["dk", "no", "se", "fi", "nl", "ie", "de", "uk", "be", "at"]

PROFESSIONS_WORK = [  # (profession, role, field, achievement)
    (
        "materials engineer",
        "head of materials research",
        "materials science",
        "a recyclable composite for wind-turbine blades",
    ),
    ("data scientist", "chief data officer", "statistics", "forecasting models for regional power grids"),
    ("industrial designer", "lead designer", "industrial design", "a widely copied modular office chair"),
    ("software engineer", "principal engineer", "computer science", "an open-source scheduling library"),
    ("biochemist", "director of research", "biochemistry", "enzyme-based cleaning of industrial wastewater"),
    ("economist", "chief economist", "economics", "a widely cited index of freight costs"),
    ("aerospace engineer", "chief technology officer", "aeronautical engineering", "lightweight satellite antennas"),
    (
        "marketing executive",
        "chief marketing officer",
        "business administration",
        "a long-running advertising campaign",
    ),
    ("chemical engineer", "head of process development", "chemical engineering", "low-energy battery recycling"),
    (
        "user-experience researcher",
        "head of design research",
        "cognitive science",
        "accessibility guidelines for banking apps",
    ),
]
PROFESSIONS_ACAD = [  # (profession, field, known for, organisation)
    ("astrophysicist", "physics", "her measurements of pulsar timing", "the European Southern Observatory"),
    ("marine biologist", "biology", "long-term studies of cold-water corals", "the Institute of Marine Research"),
    ("historian", "history", "a three-volume history of the Hanseatic trade", "the National Archives"),
    ("diplomat", "law", "negotiating a fisheries treaty", "the foreign ministry"),
    ("mathematician", "mathematics", "work on random graphs", "the Institute for Advanced Study"),
    ("epidemiologist", "medicine", "studies of influenza transmission in schools", "the national public-health agency"),
    ("geologist", "geology", "mapping the glacial deposits of the north", "the Geological Survey"),
    ("linguist", "linguistics", "a grammar of a nearly extinct coastal dialect", "the Language Council"),
    ("composer", "music", "a cycle of seven symphonies", "the Radio Symphony Orchestra"),
    ("journalist", "political science", "reporting on offshore tax schemes", "a national daily newspaper"),
]
AWARDS_WORK = ["Hallberg Prize for Engineering", "Ada Medal for Applied Computing", "Vinterberg Design Award"]
AWARDS_ACAD = ["Lindgren Medal", "Polaris Prize for Science Communication"]
ARCH_PRIZES = ["Aalto Medal", "Brunel Prize for Architecture"]
POL_JOBS = [
    "secondary-school teacher",
    "lawyer",
    "trade-union official",
    "farmer",
    "nurse",
    "civil engineer",
    "local journalist",
]
COMMITTEES = [
    "Standing Committee on Finance",
    "Committee on Transport and Communications",
    "Committee on Health and Care Services",
    "Committee on Energy and the Environment",
]


# --------------------------------------------------------------------------------------------------------------
# World building
# --------------------------------------------------------------------------------------------------------------


class Person(dict):
    """A person: first, last, full, g ('f'/'m'), nat."""

    def pr(self, k: str) -> str:
        t = {"f": {"subj": "she", "obj": "her", "pos": "her"}, "m": {"subj": "he", "obj": "him", "pos": "his"}}
        w = t[self["g"]][k.lower()]
        return cap(w) if k[0].isupper() else w


class World:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used_surnames: set[str] = set()
        self.used_full: set[str] = set()
        self.persons: list[Person] = []
        self.prefixes = list(COMPANY_PREFIXES)
        rng.shuffle(self.prefixes)
        self.product_bases = list(PRODUCT_BASES)
        rng.shuffle(self.product_bases)

    def minor(self, nat: str | None = None, g: str | None = None) -> Person:
        """Someone named only in lists: surname from EXTRA_SUR, full name unique."""
        rng = self.rng
        nat = nat or rng.choice(NAT_KEYS)
        n = NATS[nat]
        if not n["f"]:
            g = "m"
        g = g or rng.choice("fm")
        for _ in range(500):
            full = f"{rng.choice(n[g])} {rng.choice(EXTRA_SUR[nat])}"
            if full not in self.used_full:
                break
        else:
            raise RuntimeError("no free minor name for " + nat)
        self.used_full.add(full)
        first, last = full.split(" ", 1)
        p = Person(first=first, last=last, full=full, g=g, nat=nat, adj=n["adj"])
        return p

    def minors(self, nat: str, k: int, g: str | None = None) -> list[Person]:
        """k minor people of one country with different first names and surnames (a band, a party's leaders)."""
        out: list[Person] = []
        while len(out) < k:
            x = self.minor(nat, g)
            if all(x["last"] != y["last"] and x["first"] != y["first"] for y in out):
                out.append(x)
        return out

    def person(self, nat: str | None = None, g: str | None = None) -> Person:
        rng = self.rng
        keys = [k for k in NAT_KEYS if set(NATS[k]["sur"]) - self.used_surnames]
        if nat is None or nat not in keys:
            nat = rng.choice(keys)
        n = NATS[nat]
        if not n["f"]:
            g = "m"
        g = g or rng.choice("fm")
        last = rng.choice(sorted(set(n["sur"]) - self.used_surnames))
        self.used_surnames.add(last)
        first = rng.choice(n[g])
        p = Person(first=first, last=last, full=f"{first} {last}", g=g, nat=nat)
        self.used_full.add(p["full"])
        self.persons.append(p)
        return p

    def company(self, sector: str, industry: str, does: str | None = None, nat: str | None = None) -> dict:
        rng = self.rng
        prefix = self.prefixes.pop()
        nat = nat or rng.choice(NAT_KEYS)
        n = NATS[nat]
        core = f"{prefix} {sector}"
        full = f"{core} {n['suffix']}"
        return dict(
            core=core,
            full=full,
            short=prefix,
            nat=nat,
            hq=rng.choice(n["cities"]),
            country=n["country"],
            adj=n["adj"],
            industry=industry,
            does=does or f"works in {industry}",
            styl=prefix.upper() if rng.random() < 0.4 else None,
            founded=rng.randint(1968, 2012),
            founder=self.minor(nat),
            ceo=self.minor(nat if rng.random() < 0.7 else None),
            staff=rng.randint(40, 900) * 10,
            products=[],
            exch=n["exch"],
        )


# --------------------------------------------------------------------------------------------------------------
# Rendering helpers
# --------------------------------------------------------------------------------------------------------------


def compose(rng: random.Random, items: list[tuple[str | None, bool]], lo: int = 5, hi: int = 8) -> list[list[str]]:
    """items: (sentence, mandatory).  Keeps all mandatory sentences and a random subset of the optional ones, in
    order, then splits into one or two paragraphs."""
    items = [(s, m) for s, m in items if s]
    mand = [i for i, (_, m) in enumerate(items) if m]
    opt = [i for i, (_, m) in enumerate(items) if not m]
    want = rng.randint(lo, hi)
    k = max(0, min(len(opt), want - len(mand)))
    chosen = sorted(mand + rng.sample(opt, k))
    sents = [re.sub(r"(?<!\.)\.\.$", ".", items[i][0]) for i in chosen]
    if len(sents) >= 6 and rng.random() < 0.55:
        cut = rng.randint(3, len(sents) - 2)
        return [sents[:cut], sents[cut:]]
    return [sents]


def bday(rng: random.Random, y: int) -> str:
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {y}"


def other_city(rng: random.Random, avoid=()) -> str:
    return rng.choice([c for c in ALL_CITIES if c not in avoid])


def home_city(rng: random.Random, nat: str, avoid=()) -> str:
    """A city in the person's own country most of the time, anywhere otherwise."""
    own = [c for c in NATS[nat]["cities"] if c not in avoid]
    if own and rng.random() < 0.8:
        return rng.choice(own)
    return other_city(rng, avoid)


def yr(y: int) -> int:
    return min(y, NOW)


# --------------------------------------------------------------------------------------------------------------
# Document builders.  Each returns a function rng -> (title, paragraphs); the entity facts are fixed, the wording
# and the incidental details (birthdays, side cities, optional sentences) are drawn anew at each attempt.
# --------------------------------------------------------------------------------------------------------------


def company_form(rng, c):
    return c["core"] if rng.random() < 0.55 else c["full"]


def venue_np(st: str) -> str:
    bare = st.split()[-1] in ("Park", "Lane", "Road") or st.startswith(
        ("Estadio", "Estádio", "Stadio", "Stade", "Stadion", "Eishalle")
    )
    return st if bare else "the " + st


def doc_company(c):
    def build(rng):
        title = c["full"] if rng.random() < 0.6 else c["core"]
        styl = f" (stylised {c['styl']})" if c["styl"] else ""
        lead = rng.choice(
            [
                f"{c['full']}{styl} is {a_an(c['adj'])} {c['industry']} company headquartered in {c['hq']}, {c['country']}.",
                f"{c['full']}{styl} is {a_an(c['industry'])} company based in {c['hq']}, {c['country']}.",
                f"{c['full']}{styl}, commonly known as {c['short']}, is {a_an(c['adj'])} {c['industry']} company with its "
                f"headquarters in {c['hq']}, {c['country']}.",
            ]
        )
        s = c["short"]
        offices = rng.sample([x for x in ALL_CITIES if x != c["hq"]], 2)
        prods = c["products"][:]
        rng.shuffle(prods)
        items = [
            (lead, True),
            (
                f"It was founded in {c['founded']} by {c['founder']['full']}"
                f"{rng.choice(['', ', a former engineer', ', a former consultant', ' and two university friends'])}.",
                True,
            ),
            (f"The company {c['does']}.", False),
            (f"Its best-known products include the {join_and(prods[:2])}." if prods else None, False),
            (
                f"As of {rng.randint(2019, 2023)}, {s} employed about {c['staff']:,} people and had further offices in "
                f"{offices[0]} and {offices[1]}.",
                False,
            ),
            (f"{c['ceo']['full']} has served as chief executive since {rng.randint(2010, 2022)}.", False),
            (f"{s} has been listed on the {c['exch']} since {c['founded'] + rng.randint(5, 12)}.", False),
            (f"In {rng.randint(2013, 2023)}, {s} opened a research centre in {offices[1]}.", False),
            (
                f"The company's revenue in {rng.randint(2019, 2023)} was reported at {rng.randint(40, 900)} million euros.",
                False,
            ),
            (
                f"In {rng.randint(c['founded'] + 3, 2023)}, {s} acquired a smaller competitor to expand its {rng.choice(['service', 'software', 'manufacturing', 'research'])} business.",
                False,
            ),
        ]
        return title, compose(rng, items, 5, 9)

    return build


def doc_employee(p, c, prev=None, univ=None, award=None):
    def build(rng):
        s, She, she, her = p["last"], p.pr("Subj"), p.pr("subj"), p.pr("pos")
        prof, role, field, ach = p["work"]
        cf = company_form(rng, c)
        born = f"born {bday(rng, p['born'])}" if rng.random() < 0.7 else f"born {p['born']}"
        r = rng.random()
        if r < 0.4:
            lead = f"{p['full']} ({born}) is {a_an(p['adj'])} {prof} and the {role} of {cf}."
            job = None
        elif r < 0.8:
            lead = f"{p['full']} ({born}) is {a_an(p['adj'])} {prof}."
            job = rng.choice(
                [
                    f"Since {p['joined']}, {she} has worked at {cf} as {role}.",
                    f"{She} joined {cf} in {p['joined']} and is now its {role}.",
                ]
            )
        else:
            lead = f"{p['full']} ({born}) is {a_an(p['adj'])} {prof}."
            job = f"Since {p['joined']}, {she} has been {role} in {poss(c['core'])} {rng.choice(['research', 'product', 'engineering'])} division."
        city = home_city(rng, p["nat"])
        items = [
            (lead, True),
            (job, True),
            (
                f"{s} grew up in {city} and studied {field} at {inst(univ)}."
                if univ
                else f"{s} grew up in {city} and studied {field}.",
                False,
            ),
            (
                f"Before joining {c['short']}, {she} spent {rng.randint(3, 9)} years at {prev['core']}."
                if prev
                else None,
                bool(prev),
            ),
            (f"At {c['short']}, {she} led the development of {ach}.", False),
            (
                f"{She} has published more than {rng.randint(2, 6) * 10} papers and holds several patents."
                if prof != "marketing executive"
                else f"{She} is a frequent speaker on brand strategy.",
                False,
            ),
            (f"In {rng.randint(2012, 2023)}, {s} received the {award}." if award else None, False),
            (
                f"{She} sits on the advisory board of a {rng.choice(['technical university', 'national research council', 'start-up incubator'])}.",
                False,
            ),
            (f"{She} lives in {home_city(rng, p['nat'], [city])} with {her} partner and two children.", False),
        ]
        return p["full"], compose(rng, items, 5, 8)

    return build


def doc_product(pr, rival=None, award=None):
    k = PRODUCT_KINDS[pr["kind"]]
    m = pr["maker"]

    def build(rng):
        n = pr["name"]
        styl = f" (stylised {n.upper()})" if rng.random() < 0.3 else ""
        mf = company_form(rng, m)
        lead = rng.choice(
            [
                f"The {n}{styl} is {a_an(k['noun'])} manufactured by {mf}.",
                f"The {n}{styl} is {a_an(k['noun'])} developed and sold by {mf}.",
                f"The {n}{styl} is {a_an(k['noun'])} introduced by {mf} in {pr['year']}.",
            ]
        )
        nums = dict(
            n1=rng.choice([24, 33, 45, 61]),
            n2=rng.randint(45, 75) * 10,
            n3=rng.choice([60, 120]),
            n4=rng.choice([30, 40, 50]),
            n5=rng.choice([30, 40, 50]),
            n6=rng.choice([6, 8, 12, 16]),
            n7=rng.randint(30, 60),
            n8=rng.choice([500, 625, 750]),
            n9=rng.choice([80, 100, 150]),
            n10=rng.randint(6, 14) * 10,
            n11=rng.randint(28, 45),
            n12=rng.randint(24, 60) * 10,
            n13=rng.choice([60, 72, 80]),
            n14=rng.choice([38, 39, 40, 41]),
            n15=rng.choice([2, 2.5, 3]),
            n16=rng.choice([220, 250, 300]),
            n17=rng.choice([250, 500]),
        )
        specs = [t.format(**nums) for t in k["specs"]]
        fac_city = other_city(rng)
        items = [
            (lead, True),
            (
                f"It was announced in {rng.choice(MONTHS)} {pr['year']} and went on sale "
                f"{rng.choice(['a month later', 'the following spring', 'later that year'])}.",
                False,
            ),
            (specs[0], False),
            (specs[1], False),
            (specs[2], False),
            (f"The {n} replaced the {pr['pred']}." if pr.get("pred") else None, False),
            (f"Units are assembled at a contract factory in {fac_city}, {country_of(fac_city)}.", False),
            (f"Reviewers praised its {rng.choice(k['good'])} but criticised its {rng.choice(k['bad'])}.", False),
            (f"It was marketed as a rival to the {rival}." if rival else None, bool(rival)),
            (f"It received the {award} in {yr(pr['year'] + 1)}." if award else None, False),
            (f"By {yr(pr['year'] + 2)}, more than {rng.randint(2, 90) * 1000:,} units had been sold.", False),
        ]
        return pr["name"], compose(rng, items, 5, 9)

    return build


def doc_film(f):
    def build(rng):
        d = f["director"]
        cast = f["cast"]
        T = f["title"]
        lang = f"{LANG[d['nat']]}-language " if rng.random() < 0.4 else ""
        df = d["full"]
        r = rng.random()
        if r < 0.4:
            lead = f"{T} is a {f['year']} {lang}{f['genre']} film directed by {df}."
            dsent = None
        elif r < 0.7:
            lead = (
                f"{T} is a {f['year']} {f['genre']} film written and directed by {df} and starring {cast[0]['full']}."
            )
            dsent = None
        else:
            lead = f"{T} is a {f['year']} {lang}{f['genre']} film starring {join_and([x['full'] for x in cast])}."
            dsent = rng.choice(
                [
                    f"It is {poss(df)} {rng.choice(ORD[1:4])} feature film.",
                    f"The film was directed by {df} from a screenplay by {f['writer']['full']}.",
                ]
            )
        loc = home_city(rng, d["nat"])
        items = [
            (lead, True),
            (dsent, True),
            (f"It stars {join_and([x['full'] for x in cast])}." if dsent is None else None, False),
            (f"The story follows {f['plot']}.", False),
            (f"{T} premiered at the {f['festival']} in {rng.choice(MONTHS)} {f['year']}.", False),
            (f"Principal photography took place in and around {loc} in {f['year'] - 1}.", False),
            (f"It was produced by {f['prodco']}.", False),
            (
                f"The film received {rng.choice(['generally positive', 'mixed', 'warm'])} reviews and grossed "
                f"{rng.randint(2, 40)} million dollars worldwide.",
                False,
            ),
            (f"The score was written by {f['composer']['full']}.", False),
        ]
        title = T if rng.random() < 0.7 else f"{T} (film)"
        return title, compose(rng, items, 5, 8)

    return build


def doc_director(d):
    def build(rng):
        s, She, she, Her = d["last"], d.pr("Subj"), d.pr("subj"), d.pr("Pos")
        films = d["films"][:]
        rng.shuffle(films)
        if rng.random() < 0.6:
            lead = f"{d['full']} (born {bday(rng, d['born'])} in {d['birth']}) is {a_an(d['adj'])} film director and screenwriter."
            bs = None
        else:
            lead = f"{d['full']} is {a_an(d['adj'])} filmmaker and screenwriter."
            bs = f"Born in {d['birth']} in {d['born']}, {s} trained as a {rng.choice(['photographer', 'stage actor', 'film editor'])} before turning to directing."
        items = [
            (lead, True),
            (bs, True),
            (f"{She} studied at the {rng.choice(FILM_SCHOOLS)} in {home_city(rng, d['nat'], [d['birth']])}.", False),
            (
                f"{Her} debut feature, {films[0]['title']} ({films[0]['year']}), premiered at the {films[0]['festival']}."
                if films
                else None,
                False,
            ),
            (
                f"{Her} later work includes {films[1]['title']} ({films[1]['year']}), a {films[1]['genre']}."
                if len(films) > 1
                else None,
                False,
            ),
            (f"{s} has also directed episodes of several television crime series.", False),
            (
                f"Critics have noted {d.pr('pos')} {rng.choice(['long takes', 'use of non-professional actors', 'muted colour palette', 'dry humour'])}.",
                False,
            ),
            (f"In {rng.randint(d['born'] + 35, 2023)}, {she} received a national film award for best director.", False),
            (f"{She} lives in {home_city(rng, d['nat'], [d['birth']])}.", False),
        ]
        return d["full"], compose(rng, items, 5, 8)

    return build


def doc_actor(a, films):
    def build(rng):
        She, she, Her = a.pr("Subj"), a.pr("subj"), a.pr("Pos")
        noun = "actress" if a["g"] == "f" else "actor"
        fl = [f"{f['title']} ({f['year']})" for f in films]
        city = home_city(rng, a["nat"])
        items = [
            (
                f"{a['full']} (born {a['born']}) is {a_an(a['adj'])} {noun} known for {a.pr('pos')} work in film and theatre.",
                True,
            ),
            (
                f"{She} trained at the {rng.choice(['Academy of Performing Arts', 'National Theatre School', 'Drama Centre'])} in {city}.",
                False,
            ),
            (f"{Her} film credits include {join_and(fl)}.", True),
            (
                f"{She} has been a member of the ensemble of the city theatre in {home_city(rng, a['nat'], [city])} since {rng.randint(2005, 2018)}.",
                False,
            ),
            (f"In {rng.randint(2012, 2023)}, {she} won a national film award for best supporting {noun}.", False),
            (f"{a['last']} is married to a {rng.choice(['set designer', 'composer', 'documentary maker'])}.", False),
            (f"{She} has also appeared in several television dramas.", False),
        ]
        return a["full"], compose(rng, items, 5, 6)

    return build


def doc_festival(name, year, films):
    def build(rng):
        city = other_city(rng)
        fl = [f["title"] for f in films]
        items = [
            (
                f"The {year} {name} was the {rng.randint(11, 40)}th edition of the {name}, held in {city} in {rng.choice(['June', 'September', 'October'])} {year}.",
                True,
            ),
            (f"The main prize went to {fl[0]}.", True),
            (f"Other films in competition included {join_and(fl[1:])}." if len(fl) > 1 else None, True),
            (f"The festival reported {rng.randint(30, 90)},000 admissions, a record at the time.", False),
            ("The jury was chaired by a veteran cinematographer.", False),
            (f"Screenings were held in {rng.randint(5, 12)} venues across the city.", False),
        ]
        return f"{year} {name}", compose(rng, items, 4, 6)

    return build


def doc_album(al):
    def build(rng):
        b = al["band"]
        T = al["title"]
        bf = rng.choice([b["the_form"], "the " + b["core"], b["core"]]) if b["has_the"] else b["core"]
        rel = bday(rng, al["year"])
        r = rng.random()
        if r < 0.45:
            lead = f"{T} is the {al['ord']} studio album by the {b['adj']} {b['genre']} band {bf}, released on {rel} through {al['label']}."
            lead = lead.replace("band the ", "band ")
            second = None
        elif r < 0.75:
            lead = f"{T} is a {al['year']} album by {bf}."
            second = f"It was released through {al['label']} on {rel} as the band's {al['ord']} record."
        else:
            lead = f"{T} is {poss(bf)} {al['ord']} studio album, released in {al['year']}."
            second = f"It was issued by {al['label']}."
        city = home_city(rng, b["nat"], [b["city"]])
        items = [
            (cap(lead), True),
            (second, True),
            (f"It was recorded at {rng.choice(STUDIOS)} in {city} with producer {al['producer']['full']}.", False),
            (f'The album was preceded by the single "{al["single"]}".', False),
            (f"{T} peaked at number {rng.randint(2, 40)} on the {rng.choice(CHARTS)}.", False),
            (
                f"Critics praised its {rng.choice(['layered guitars', 'restraint', 'lyrics', 'warm production'])}, "
                f"though some found the second half {rng.choice(['repetitive', 'overlong', 'uneven'])}.",
                False,
            ),
            (f"It was shortlisted for the {al['prize']} in {yr(al['year'] + 1)}." if al.get("prize") else None, False),
            (
                f"The band promoted the record with a tour of {rng.choice(['Europe', 'North America', 'Scandinavia', 'the United Kingdom'])}.",
                False,
            ),
        ]
        title = T if rng.random() < 0.6 else f"{T} (album)"
        return title, compose(rng, items, 5, 8)

    return build


def doc_band(b):
    def build(rng):
        albums = b["albums"][:]
        m = b["members"]
        name = b["core"]
        if b["has_the"]:
            lead = rng.choice(
                [
                    f"{name} (often styled {b['the_form']}) are {a_an(b['adj'])} {b['genre']} band formed in {b['city']} in {b['formed']}.",
                    f"{b['the_form']} are {a_an(b['genre'])} band formed in {b['city']} in {b['formed']} by {m[0]['full']} and {m[1]['full']}.",
                ]
            )
        else:
            lead = f"{name} are {a_an(b['adj'])} {b['genre']} band formed in {b['city']} in {b['formed']}."
        others = b["peers"]
        items = [
            (lead, True),
            (
                f"The line-up consists of {m[0]['full']} (vocals, guitar), {m[1]['full']} (bass) and {m[2]['full']} (drums).",
                False,
            ),
            (
                f"They signed to {b['label']} in {b['formed'] + 2} and released their debut album, {albums[0]}, the following year."
                if albums
                else None,
                False,
            ),
            (
                f"Their third album, {albums[1]}, reached the top ten of the {rng.choice(CHARTS)}."
                if len(albums) > 1
                else None,
                False,
            ),
            (f"The band have toured with {join_and(others)}." if others else None, False),
            (f"{m[0]['full']} also records as a solo artist.", False),
            (
                f"The band are known for their {rng.choice(['long live sets', 'hand-printed record sleeves', 'politically pointed lyrics'])}.",
                False,
            ),
            (
                f"In {rng.randint(b['formed'] + 4, 2023)}, they played the main stage at a large summer festival for the first time.",
                False,
            ),
        ]
        return (b["core"] if rng.random() < 0.5 else f"{b['core']} (band)"), compose(rng, items, 5, 8)

    return build


def doc_producer(p, albums, bands):
    def build(rng):
        She, Her = p.pr("Subj"), p.pr("Pos")
        items = [
            (f"{p['full']} (born {p['born']}) is {a_an(p['adj'])} record producer and mixing engineer.", True),
            (f"{Her} credits include {join_and([a['title'] + ' (' + str(a['year']) + ')' for a in albums])}.", True),
            (f"{She} has also worked with {join_and(bands)}." if bands else None, False),
            (f"{She} runs a small studio in {home_city(rng, p['nat'])}.", False),
            (f"In {rng.randint(2014, 2023)}, {p['last']} was named producer of the year by a music magazine.", False),
            (f"{She} began {p.pr('pos')} career as a session guitarist.", False),
        ]
        return p["full"], compose(rng, items, 5, 6)

    return build


def doc_music_prize(name, year, albums):
    def build(rng):
        fl = [a["title"] for a in albums]
        items = [
            (
                f"The {year} {name} was awarded in {rng.choice(['October', 'November'])} {year} at a ceremony in {other_city(rng)}.",
                True,
            ),
            (f"The shortlist consisted of {join_and(fl)}.", True),
            (f"The winner, {fl[0]}, was announced by the jury chair.", False),
            (f"The prize carries an award of {rng.randint(10, 30)},000 euros.", False),
            ("Judges praised the strength of debut records that year.", False),
        ]
        return f"{year} {name}", compose(rng, items, 4, 5)

    return build


def doc_news(title, sentences):
    """sentences: a function rng -> list of sentences (all kept)."""

    def build(rng):
        items = [(s, True) for s in sentences(rng)]
        return title, compose(rng, items, len(items), len(items))

    return build


def doc_alum(p, univ, award=None, colleague=None):
    def build(rng):
        prof, field, known, org = p["acad"]
        if p["g"] == "m":
            known = known.replace("her ", "his ")
        s, She = p["last"], p.pr("Subj")
        r = rng.random()
        if r < 0.4:
            lead = f"{p['full']} (born {bday(rng, p['born'])}) is {a_an(p['adj'])} {prof} known for {known}."
            edu = f"{She} studied {field} at {inst(univ['core'])}, graduating in {p['born'] + rng.randint(21, 24)}."
        elif r < 0.75:
            lead = f"{p['full']} (born {p['born']}) is {a_an(p['adj'])} {prof}."
            edu = f"A graduate of {inst(univ['core'])}, {s} is best known for {known}."
        else:
            lead = f"{p['full']} (born {p['born']}) is {a_an(p['adj'])} {prof} known for {known}."
            edu = f"{She} took {p.pr('pos')} first degree at {poss(inst(univ['core']))} department of {field}."
        city = home_city(rng, p["nat"])
        items = [
            (lead, True),
            (edu, True),
            (f"{She} grew up in {city}.", False),
            (f"{She} later worked at {org} for {rng.randint(6, 20)} years.", False),
            (f"In {rng.randint(2005, 2023)}, {s} was awarded the {award}." if award else None, False),
            (f"{She} has frequently collaborated with {colleague}." if colleague else None, bool(colleague)),
            (
                f"{She} was elected a member of the national academy of sciences in {rng.randint(max(p['born'] + 40, 1990), 2023)}."
                if p["born"] <= 1978
                else f"{She} has supervised more than {rng.randint(5, 20)} doctoral students.",
                False,
            ),
            (f"{She} lives in {home_city(rng, p['nat'], [city])}.", False),
        ]
        return p["full"], compose(rng, items, 5, 7)

    return build


def doc_university(u):
    def build(rng):
        name = u["core"]
        lead = rng.choice(
            [
                f"{cap(inst(name))} ({u['abbr']}) is a public research university in {u['city']}, {country_of(u['city'])}.",
                f"{cap(inst(name))} is a {rng.choice(['public', 'state-funded'])} university located in {u['city']}, {country_of(u['city'])}.",
            ]
        )
        found = rng.choice(
            [
                f"Founded in {u['founded']} as {u['old']}, it was granted university status in {u['status']}.",
                f"It was established in {u['founded']} and took its present name in {u['status']}.",
            ]
        )
        items = [
            (lead, True),
            (found, True),
            (
                f"The university is organised into {rng.randint(4, 9)} faculties and enrols about {rng.randint(8, 35) * 1000:,} students.",
                False,
            ),
            (f"Notable alumni include {join_and([x['full'] for x in u['alumni']])}." if u["alumni"] else None, False),
            (f"The current rector is {u['rector']['full']}.", False),
            (f"Its main campus lies on the {rng.choice(['northern', 'western', 'eastern'])} edge of the city.", False),
            (f"The university library holds more than {rng.randint(1, 4)} million volumes.", False),
            (
                f"It is particularly known for its {rng.choice(['medical school', 'engineering faculty', 'law school', 'marine research station'])}.",
                False,
            ),
        ]
        return name, compose(rng, items, 5, 7)

    return build


def doc_book(b):
    def build(rng):
        T = b["title"]
        a = b["author"]
        pb = b["pub"]
        pf = rng.choice([pb["core"], pb["core"], pb["full"]])
        r = rng.random()
        if r < 0.4:
            lead = f"{T} is a {b['year']} {b['genre']} by the {a['adj']} writer {a['full']}."
            pubs = f"It was published by {pf} in {rng.choice(MONTHS)} {b['year']}."
        elif r < 0.7:
            lead = f"{T} is a {b['genre']} by {a['full']}, first published by {pf} in {b['year']}."
            pubs = None
        else:
            lead = f"{T} is a {b['year']} {b['genre']} by the {a['adj']} writer {a['full']}."
            pubs = f"It appeared under {poss(pb['core'])} {b['imprint']} imprint."
        items = [
            (lead, True),
            (pubs, True),
            (f"The book follows {b['plot']}.", False),
            (f"It was shortlisted for the {b['prize']} in {yr(b['year'] + 1)}." if b.get("prize") else None, False),
            (f"It has been translated into {rng.randint(4, 20)} languages.", False),
            (
                f"Reviewers singled out its {rng.choice(['spare prose', 'structure', 'humour', 'sense of place'])}.",
                False,
            ),
            (f"A film adaptation was announced in {yr(b['year'] + rng.randint(2, 5))}.", False),
            (
                f"{a['last']} has said the idea came from {rng.choice(['a newspaper cutting', 'a family story', 'a visit to a local museum'])}.",
                False,
            ),
        ]
        title = T if rng.random() < 0.6 else f"{T} ({b['genre'].split()[-1]})"
        return title, compose(rng, items, 5, 7)

    return build


def doc_publisher(pb):
    def build(rng):
        lead = rng.choice(
            [
                f"{pb['full']} is an independent publishing house based in {pb['city']}, {country_of(pb['city'])}.",
                f"{pb['full']} is {a_an(NATS[CITY_NAT[pb['city']]]['adj'])} publisher of literary fiction and poetry, based in {pb['city']}.",
            ]
        )
        items = [
            (lead, True),
            (
                f"It was founded in {pb['founded']} by {pb['founder']['full']}, {rng.choice(['a former bookseller', 'a former journalist', 'a translator'])}.",
                True,
            ),
            (
                f"The house publishes around {rng.randint(20, 80)} titles a year through its imprints {pb['imprints'][0]} and {pb['imprints'][1]}.",
                False,
            ),
            (
                f"Writers on its list have included {join_and([x['full'] for x in pb['authors']])}."
                if pb["authors"]
                else None,
                False,
            ),
            (
                f"Since {rng.randint(2008, 2021)}, its publisher and managing director has been {pb['md']['full']}.",
                False,
            ),
            (f"In {rng.randint(2010, 2023)}, it was named small publisher of the year.", False),
            (
                f"Its offices are in a converted {rng.choice(['warehouse', 'printworks', 'school building'])} near the city centre.",
                False,
            ),
        ]
        title = pb["full"] if rng.random() < 0.5 else pb["core"]
        return title, compose(rng, items, 5, 7)

    return build


def doc_author(a, books):
    def build(rng):
        She, Her = a.pr("Subj"), a.pr("Pos")
        bl = [f"{b['title']} ({b['year']})" for b in books]
        items = [
            (f"{a['full']} (born {a['born']}) is {a_an(a['adj'])} novelist and short-story writer.", True),
            (f"{Her} books include {join_and(bl)}.", True),
            (
                f"{She} grew up in {home_city(rng, a['nat'])} and worked as a {rng.choice(['teacher', 'translator', 'journalist'])} before turning to fiction.",
                False,
            ),
            (f"{She} teaches creative writing at a summer school.", False),
            (
                f"{a['last']} has been described as {rng.choice(['a quiet chronicler of provincial life', 'one of the sharpest stylists of ' + a.pr('pos') + ' generation'])}.",
                False,
            ),
            (f"{Her} work has been translated into more than {rng.randint(5, 25)} languages.", False),
        ]
        return a["full"], compose(rng, items, 5, 6)

    return build


def doc_book_prize(name, year, books):
    def build(rng):
        fl = [b["title"] for b in books]
        items = [
            (f"The {year} {name} was presented in {rng.choice(['May', 'June', 'October'])} {year}.", True),
            (f"The shortlisted books were {join_and(fl)}.", True),
            (f"The prize went to {fl[-1]}.", True),
            (f"The jury read {rng.randint(90, 200)} submissions.", False),
            (f"The award carries a purse of {rng.randint(10, 50)},000 euros.", False),
        ]
        return f"{year} {name}", compose(rng, items, 4, 5)

    return build


def doc_athlete(p, club, youth=None, prev=None):
    def build(rng):
        s, She, she, her = p["last"], p.pr("Subj"), p.pr("subj"), p.pr("pos")
        sport = club["sport"]
        noun = "footballer" if sport == "football" else "ice hockey player"
        cf = club["core"]
        ctry = NATS[p["nat"]]["country"]
        r = rng.random()
        if r < 0.45:
            lead = f"{p['full']} (born {bday(rng, p['born'])}) is {a_an(p['adj'])} professional {noun} who plays as {a_an(p['pos'])} for {club['league']} club {cf}."
            cur = None
        else:
            lead = f"{p['full']} (born {p['born']}) is {a_an(p['adj'])} {noun} who plays as {a_an(p['pos'])}."
            cur = rng.choice(
                [
                    f"{She} currently plays for {cf} in the {club['league']}.",
                    f"Since {p['joined']}, {she} has played for {cf}.",
                    f"{She} has been under contract with {cf} since {p['joined']}.",
                ]
            )
        city = home_city(rng, p["nat"])
        items = [
            (lead, True),
            (cur, True),
            (
                f"Born in {city}, {s} came through the youth system at {youth['core']}."
                if youth
                else f"{s} was born in {city}.",
                False,
            ),
            (f"{She} joined {cf} in {p['joined']} from {prev['core']}." if prev else None, bool(prev)),
            (f"{She} made {her} international debut for {ctry} in {yr(p['joined'] + rng.randint(0, 2))}.", False),
            (
                f"{s} is known for {rng.choice(['his reading of the game', 'his pace', 'his aerial ability', 'his work rate'])}.",
                False,
            ),
            (f"In {yr(p['joined'] + 1)}, {she} was named in the league's team of the season.", False),
            (
                f"{She} is {rng.choice(['left-footed', 'right-footed'])} and stands {rng.randint(172, 194)} cm tall."
                if sport == "football"
                else f"{She} shoots {rng.choice(['left', 'right'])}-handed.",
                False,
            ),
        ]
        return p["full"], compose(rng, items, 5, 7)

    return build


def doc_club(cl):
    def build(rng):
        lead = rng.choice(
            [
                f"{cl['core']} ({cl['alt']}) is a professional {cl['sport']} club based in {cl['city']}, {cl['country']}.",
                f"{cl['alt']}, commonly known as {cl['core']}, is {a_an(cl['sport'])} club from {cl['city']}, {cl['country']}.",
            ]
        )
        venue = rng.choice(
            [
                f"The club plays its home matches at {venue_np(cl['stadium'])}, which holds {cl['capacity']:,} spectators.",
                f"Its home ground is {venue_np(cl['stadium'])}, opened in {cl['opened']}.",
            ]
        )
        items = [
            (lead, True),
            (f"Founded in {cl['founded']}, the club competes in the {cl['league']}.", False),
            (venue, True),
            (f"The club's colours are {cl['colours']}.", False),
            (f"The head coach is {cl['coach']['full']}.", False),
            (
                f"Notable current players include {join_and([x['full'] for x in cl['players']])}."
                if cl["players"]
                else None,
                False,
            ),
            (f"The club has won the national cup {rng.randint(1, 6)} times.", False),
            (f'Its supporters are nicknamed "{cl["nick"]}".', False),
        ]
        return cl["core"], compose(rng, items, 5, 7)

    return build


def doc_building(bd):
    def build(rng):
        a = bd["architect"]
        N = bd["name"]
        ctry = country_of(bd["city"])
        if bd["tall"]:
            lead = f"The {N} is a {bd['height']}-metre, {bd['floors']}-storey {bd['type']} in {bd['city']}, {ctry}."
        else:
            lead = f"The {N} is {a_an(bd['type'])} in the {rng.choice(['harbour', 'old town', 'station', 'university'])} district of {bd['city']}, {ctry}."
        des = rng.choice(
            [
                f"It was designed by the architect {a['full']} and completed in {bd['year']}.",
                f"{poss(a['full'])} design was chosen in an international competition in {bd['year'] - 4}, and the building opened in {bd['year']}.",
                f"The building, completed in {bd['year']}, is the work of {a['full']}.",
            ]
        )
        items = [
            (lead, True),
            (des, True),
            (
                f"Its facade is clad in {rng.choice(['glazed ceramic tiles', 'weathering steel', 'pale limestone', 'recycled brick'])}.",
                False,
            ),
            (f"Construction cost about {rng.randint(40, 400)} million euros.", False),
            (
                f"Critics have compared its {rng.choice(['roofline', 'atrium', 'silhouette'])} to {rng.choice(['a folded sheet of paper', 'a ship hull', 'a stack of books'])}.",
                False,
            ),
            (
                f"It was commissioned by the {rng.choice(['city council', 'regional government', 'a private foundation', 'a pension fund'])}.",
                False,
            ),
            (
                f"The {N} attracts about {rng.randint(2, 30) * 10000:,} visitors a year."
                if not bd["tall"]
                else f"An observation deck on the top floor opened to the public in {yr(bd['year'] + 1)}.",
                False,
            ),
        ]
        return N, compose(rng, items, 5, 7)

    return build


def doc_architect(a):
    def build(rng):
        s, She, Her = a["last"], a.pr("Subj"), a.pr("Pos")
        if a.get("died"):
            lead = f"{a['full']} ({a['born']}–{a['died']}) was {a_an(a['adj'])} architect and urban planner."
            verb = "was"
        else:
            lead = f"{a['full']} (born {a['born']}) is {a_an(a['adj'])} architect based in {a['base']}."
            verb = "is"
        works = a["works"][:]
        rng.shuffle(works)
        items = [
            (lead, True),
            (
                f"{She} studied architecture at {inst(a['school'])} and founded {a.pr('pos')} own practice in {a['born'] + rng.randint(30, 38)}.",
                False,
            ),
            (
                f"{Her} best-known buildings include {join_and(['the ' + w['name'] + ' in ' + w['city'] for w in works[:2]])}."
                if works
                else None,
                False,
            ),
            (
                f"{Her} work {verb} noted for {rng.choice(['its use of timber', 'daylight and simple volumes', 'bold cantilevers', 'its dialogue with historic fabric'])}.",
                False,
            ),
            (f"{s} received the {rng.choice(ARCH_PRIZES)} in {yr(a['born'] + rng.randint(45, 60))}.", False),
            (f"{She} taught at several schools of architecture.", False),
            (f"{Her} office employed about {rng.randint(2, 12) * 10} people at its peak.", False),
        ]
        return a["full"], compose(rng, items, 5, 7)

    return build


def doc_ship(sh):
    def build(rng):
        y = sh["yard"]
        N = f"{sh['prefix']} {sh['name']}"
        yf = rng.choice([y["core"], y["core"], y["full"]])
        a, b = rng.sample(sh["ports"], 2)
        if rng.random() < 0.5:
            lead = f"{N} is {a_an(sh['type'])} operated by {sh['operator']} on the route between {a} and {b}."
            bs = rng.choice(
                [
                    f"She was built by {yf} and delivered in {sh['year']}.",
                    f"She was launched at {yf} in {sh['year'] - 1} and entered service the following year.",
                ]
            )
        else:
            lead = f"{N} is {a_an(sh['type'])} built in {sh['year']} by {yf} for {sh['operator']}."
            bs = None
        items = [
            (lead, True),
            (bs, True),
            (f"The ship has a gross tonnage of {sh['gt']:,} and can carry {sh['pax']:,} passengers.", False),
            (
                f"Since {yr(sh['year'] + rng.randint(2, 8))}, {sh['name']} has sailed between {a} and {b}."
                if bs is None
                else None,
                False,
            ),
            (
                f"In {yr(sh['year'] + rng.randint(3, 10))}, she {rng.choice(['ran aground in fog', 'suffered an engine-room fire', 'was briefly laid up'])}; no one was injured.",
                False,
            ),
            (f"She has a sister ship, {sh['sister']}." if sh.get("sister") else None, False),
            (f"Her interiors were designed by {a_an(rng.choice(['Finnish', 'Italian', 'Danish']))} studio.", False),
            (
                f"She is powered by {rng.choice(['four diesel engines', 'dual-fuel engines that can run on liquefied natural gas', 'diesel-electric propulsion'])}.",
                False,
            ),
        ]
        return N, compose(rng, items, 5, 7)

    return build


def doc_shipyard(y):
    def build(rng):
        lead = rng.choice(
            [
                f"{y['full']} is a shipbuilding company located in the port city of {y['city']}, {SHIPYARD_COUNTRY[y['city']]}.",
                f"{y['full']} is a shipyard in {y['city']}, {SHIPYARD_COUNTRY[y['city']]}, specialising in {rng.choice(['ferries', 'cruise ships', 'offshore vessels'])}.",
            ]
        )
        items = [
            (lead, True),
            (f"The yard was established in {y['founded']}.", False),
            (f"Vessels built at {y['core']} include {join_and(y['ships'])}." if y["ships"] else None, False),
            (f"It employs about {rng.randint(8, 40) * 100:,} people.", False),
            (f"Since {rng.randint(2005, 2020)}, it has been owned by {y['owner']}.", False),
            (f"Its largest dry dock is {rng.randint(22, 40) * 10} metres long.", False),
            ("The yard also carries out repairs and conversions.", False),
        ]
        return (y["full"] if rng.random() < 0.5 else y["core"]), compose(rng, items, 5, 7)

    return build


def doc_operator(op, ships):
    def build(rng):
        items = [
            (f"{op['name']} is a ferry company operating passenger and freight services in {op['area']}.", True),
            (f"It was founded in {op['founded']}.", False),
            (f"Its fleet consists of {join_and([s['prefix'] + ' ' + s['name'] for s in ships])}.", True),
            (
                f"The company carried about {rng.randint(5, 40) / 10:.1f} million passengers in {rng.randint(2018, 2023)}.",
                False,
            ),
            (f"Its main routes connect {join_and(op['ports'][:3])}.", False),
        ]
        return op["name"], compose(rng, items, 4, 5)

    return build


def doc_town(t):
    def build(rng):
        rv = t["river"]
        rf = rv["core"] if rv["core"].startswith("River") else rng.choice([f"{rv['core']}", f"{rv['core']} river"])
        lead = f"{t['name']} is a {t['kind']} in {t['region']}, {rv['country']}."
        items = [
            (lead, True),
            (
                rng.choice(
                    [
                        f"It lies on the {rf}, about {rng.randint(8, 60)} km {rng.choice(['north', 'south', 'east', 'west'])} of {t['near']}.",
                        f"The town grew up around a crossing of the {rf}.",
                    ]
                ),
                True,
            ),
            (f"At the {rng.choice([2011, 2016, 2021])} census it had a population of {t['pop']:,}.", False),
            (f"{t['name']} is first recorded in {t['first']}.", False),
            (
                f"Its landmarks include {rng.choice(['a medieval stone bridge', 'a restored watermill', 'a Romanesque church', 'the ruins of a castle'])}.",
                False,
            ),
            (
                f"The local economy is based on {rng.choice(['farming and tourism', 'a paper mill', 'timber and light industry', 'vineyards'])}.",
                False,
            ),
            (f"{t['name']} has a railway station on the line to {t['near']}.", False),
        ]
        return t["name"], compose(rng, items, 5, 6)

    return build


def doc_river(rv):
    def build(rng):
        towns = rv["towns"]
        core = rv["core"]
        if core.startswith("River"):
            lead = f"The {core} is a river in {rv['region']}, {rv['country']}, about {rv['length']} km long."
        else:
            lead = f"The {core} is a {rv['length']}-kilometre river in {rv['region']}, {rv['country']}."
        past = f" past {join_and(towns)}" if towns else ""
        items = [
            (lead, True),
            (
                f"It rises in {rv['source']} and flows {rv['dir']}{past} before emptying into the {rv['sea']} at {rv['port']}.",
                True,
            ),
            (f"Its main tributaries are the {rv['tribs'][0]} and the {rv['tribs'][1]}.", False),
            (
                f"The river is known for its {rng.choice(['salmon', 'sea trout', 'eels', 'freshwater pearl mussels'])}.",
                False,
            ),
            (f"Severe floods in {rng.randint(1950, 2015)} led to the construction of new embankments.", False),
            ("The lower course is navigable by small boats.", False),
            (f"Its catchment covers about {rng.randint(4, 40) * 100} square kilometres.", False),
        ]
        return rv["title"], compose(rng, items, 5, 6)

    return build


def doc_region(name, towns, nat, country):
    def build(rng):
        items = [
            (f"{name} is a local-government area in {towns[0]['region']}, {country}.", True),
            (
                f"It comprises the towns of {join_and([t['name'] for t in towns])}, together with {rng.randint(10, 40)} smaller villages.",
                True,
            ),
            (f"The council meets in {towns[0]['name']}.", False),
            ("Agriculture and tourism are the main sources of employment.", False),
            (f"The area had about {rng.randint(20, 90)},000 inhabitants in {rng.choice([2016, 2021])}.", False),
        ]
        return name, compose(rng, items, 4, 5)

    return build


def doc_painting(pt):
    def build(rng):
        m = pt["museum"]
        pa = pt["painter"]
        T = pt["title"]
        lead = rng.choice(
            [
                f"{T} is {'an' if str(pt['year']).startswith('18') else 'a'} {pt['year']} oil painting by the {pa['adj']} painter {pa['full']}.",
                f"{T} is a painting by {pa['full']}, completed in {pt['year']}.",
            ]
        )
        mus = rng.choice(
            [
                f"It has been in the collection of the {m['core']} since {pt['acq']}.",
                f"{cap(poss('the ' + m['core']))} trustees acquired it in {pt['acq']}, and it is on permanent display there.",
                f"Since {pt['acq']}, the canvas has belonged to the {m['core']}.",
            ]
        )
        items = [
            (lead, True),
            (mus, True),
            (f"It depicts {pt['scene']}.", False),
            (
                f"The painting was first shown at the {rng.choice(['annual Salon', 'Autumn Exhibition', 'Academy exhibition'])} in {pt['year'] + 1}.",
                False,
            ),
            (f"The canvas measures {rng.randint(50, 180)} by {rng.randint(50, 220)} centimetres.", False),
            (
                f"Art historians have read it as {rng.choice(['a comment on industrial labour', 'a private memorial', 'a study of winter light'])}.",
                False,
            ),
            (f"It was lent to an exhibition in {other_city(rng)} in {rng.randint(1990, 2022)}.", False),
        ]
        return T, compose(rng, items, 5, 6)

    return build


def doc_museum(m):
    def build(rng):
        lead = rng.choice(
            [
                f"The {m['core']} ({m['alt']}) is an art museum in {m['city']}, {country_of(m['city'])}.",
                f"The {m['core']} is a museum of fine art in {m['city']}, {country_of(m['city'])}.",
            ]
        )
        pl = m["painters"]
        items = [
            (lead, True),
            (f"It was founded in {m['founded']} to house the collection of {m['collector']['full']}.", False),
            (
                f"Its holdings of about {rng.randint(3, 40) * 1000:,} works include paintings by {join_and([p['full'] for p in pl])}."
                if pl
                else None,
                False,
            ),
            (f"Among its best-known pieces is {m['star']}." if m.get("star") else None, False),
            (
                f"The museum occupies a {rng.choice(['former customs house', 'nineteenth-century villa', 'converted textile mill'])}.",
                False,
            ),
            (f"It received about {rng.randint(100, 900)},000 visitors in {rng.randint(2017, 2023)}.", False),
            (f"Its director since {rng.randint(2010, 2022)} has been {m['director']['full']}.", False),
        ]
        return m["core"], compose(rng, items, 5, 6)

    return build


def doc_painter(p, paintings):
    def build(rng):
        She, Her = p.pr("Subj"), p.pr("Pos")
        items = [
            (
                f"{p['full']} ({p['born']}–{p['died']}) was {a_an(p['adj'])} painter associated with {rng.choice(['Realism', 'Impressionism', 'the Skagen circle', 'Symbolism'])}.",
                True,
            ),
            (f"{Her} works include {join_and([t['title'] + ' (' + str(t['year']) + ')' for t in paintings])}.", True),
            (f"{She} trained at the academy in {home_city(rng, p['nat'])}.", False),
            (f"{She} spent several summers painting on the coast.", False),
            (
                f"{p['last']} was largely forgotten after {p.pr('pos')} death until a retrospective in {rng.randint(1980, 2015)}.",
                False,
            ),
            (f"{She} exhibited regularly at the annual Salon from {p['born'] + rng.randint(22, 30)}.", False),
        ]
        return p["full"], compose(rng, items, 5, 6)

    return build


def doc_politician(p, party, prev=None, committee=None):
    def build(rng):
        s, She, she = p["last"], p.pr("Subj"), p.pr("subj")
        n = NATS[p["nat"]]
        pf = party["core"]
        r = rng.random()
        if r < 0.4:
            lead = f"{p['full']} (born {bday(rng, p['born'])}) is {a_an(p['adj'])} politician who has been a member of the {n['parl']} for {p['seat']} since {p['elected']}."
            ps = rng.choice(
                [
                    f"{She} is a member of the {pf}.",
                    f"{She} sits for the {pf}, which {she} joined in {p['elected'] - rng.randint(2, 9)}.",
                ]
            )
        elif r < 0.75:
            lead = f"{p['full']} (born {p['born']}) is {a_an(p['adj'])} politician of the {pf}."
            ps = f"{She} has represented {p['seat']} in the {n['parl']} since {p['elected']}."
        else:
            lead = f"{p['full']} (born {p['born']}) is {a_an(p['adj'])} politician who has represented {p['seat']} in the {n['parl']} since {p['elected']}."
            ps = f"{She} is the {poss(pf)} spokesperson on {rng.choice(['transport', 'housing', 'agriculture', 'education'])}."
        items = [
            (lead, True),
            (ps, True),
            (
                f"{She} had previously belonged to the {prev['core']} until {p['elected'] - 1}." if prev else None,
                bool(prev),
            ),
            (f"Before entering politics, {s} worked as a {p['job']} in {home_city(rng, p['nat'])}.", False),
            (f"In the {n['parl']}, {she} sits on the {committee}." if committee else None, False),
            (
                f"{She} is known for {rng.choice(['campaigning on rural broadband', 'work on pension reform', 'opposing a new motorway', 'a bill on rental housing'])}.",
                False,
            ),
            (f"{She} was first elected to the municipal council in {p['elected'] - rng.randint(4, 10)}.", False),
        ]
        return p["full"], compose(rng, items, 5, 7)

    return build


def doc_party(pt):
    def build(rng):
        items = [
            (
                f"The {pt['core']} ({pt['abbr']}) is a {pt['ideology']} political party in {NATS[pt['nat']]['country']}.",
                True,
            ),
            (f"It was founded in {pt['founded']} by {pt['founder']['full']}.", False),
            (
                rng.choice(
                    [
                        f"Since {pt['since']}, the party has been led by {pt['leader']['full']}.",
                        f"Its current leader is {pt['leader']['full']}, who succeeded {pt['prev_leader']['full']} in {pt['since']}.",
                    ]
                ),
                True,
            ),
            (
                f"At the {yr(pt['since'] + 1)} election it won {rng.randint(2, 40)} seats in the {NATS[pt['nat']]['parl']}.",
                False,
            ),
            (
                f"The party supports {rng.choice(['decentralisation and lower fuel taxes', 'a faster move to renewable energy', 'stronger support for farmers', 'reform of the pension system'])}.",
                False,
            ),
            (f"Its youth wing is called {pt['youth']}.", False),
            ("It is a member of a European political alliance.", False),
        ]
        return pt["core"], compose(rng, items, 5, 7)

    return build


# --------------------------------------------------------------------------------------------------------------
# The world: entities, documents to write, and questions
# --------------------------------------------------------------------------------------------------------------

SONGS = [
    "Lighthouse Tapes",
    "Seventeen Winters",
    "Borrowed Coats",
    "Rust Belt Lullaby",
    "Harbour Wall",
    "Telephone Wires",
    "Cardamom",
    "Blue Lorries",
    "The Long Way Home",
    "Snowplough",
    "Magpie",
    "Signal Fires",
    "Fishbone",
    "Driving at Night",
    "Kite String",
    "Saltwater Teeth",
    "Paper Crowns",
    "Northbound",
    "Tangerine",
    "Stray Dogs",
    "Glass Elevator",
    "Holy Water",
    "Orchard Road",
    "Late Bloomer",
]
IMPRINT_WORDS = [
    "Tern",
    "Lantern Row",
    "Heron",
    "Ashfield",
    "Meadowsweet",
    "Cinder",
    "Kelp",
    "Foxglove",
    "Osier",
    "Larch",
    "Sedge",
    "Gorse",
    "Rowan",
    "Bracken",
    "Nettle",
    "Thistle",
    "Alder",
    "Marram",
    "Sorrel",
    "Wren",
]
LEAGUES = {
    "no": "Eliteserien",
    "uk": "EFL Championship",
    "it": "Serie B",
    "es": "Segunda División",
    "se": "Allsvenskan",
    "de": "2. Bundesliga",
    "fr": "Ligue 2",
    "pt": "Liga Portugal 2",
    "pl": "I liga",
    "cz": "Czech First League",
    "ie": "League of Ireland Premier Division",
    "at": "Austrian Bundesliga",
}
HOCKEY_LEAGUES = {"fi": "Liiga", "se": "SHL", "ch": "National League"}
OWNERS = [
    "Nordic Maritime Holdings",
    "the Meridian Marine Group",
    "Halcyon Industrial Partners",
    "the Baltic Yards Consortium",
    "Seaborne Capital",
]
SCENES = [
    "a harbour at low tide under an orange sky",
    "a woman wrapped in a blue shawl on a windy quay",
    "rope-makers at work in a long shed",
    "a girl reading beside a window in winter light",
    "snow falling on a frozen lagoon",
    "fishermen repairing nets on a beach",
    "a crowd sheltering under a red parasol",
    "a storm gathering over flat farmland",
    "a street vendor selling absinthe at night",
    "a family supper lit by a single lamp",
    "salt workers raking the pans at dawn",
    "a child practising the violin",
    "haymakers resting at midday",
    "quinces on a kitchen table",
    "a flooded meadow with willows",
    "washerwomen at a river at noon",
]
YOUTH_WINGS = [
    "Young Renewal",
    "Green Coast Youth",
    "Rural Youth League",
    "Forward Youth",
    "Social Union Youth",
    "Progress Youth",
    "Horizon Youth",
    "Heritage Youth",
    "Young Centre",
    "Compass Youth",
]
RIVER_SOURCES = [
    "the Callow Wolds",
    "the Blackstairs foothills",
    "the Arenig moors",
    "the mountains above Vesledalen",
    "the Gâtine hills",
    "the Sibillini foothills",
    "the Kashubian lake district",
    "the Lapland fells",
    "the Pre-Pyrenees",
    "the Ligurian Apennines",
    "the Pays d'Auge",
    "the Lüneburg Heath",
]
TRIBS = [
    "Lynn",
    "Marrow Brook",
    "Sedge Water",
    "Little Ennick",
    "Afon Du",
    "Gjøra",
    "Lisle",
    "Rivière Noire",
    "Versanello",
    "Fosso Grande",
    "Drossica",
    "Lipka",
    "Lillälven",
    "Rambäcken",
    "Riera Seca",
    "Torrent Negre",
    "Rio Chiaro",
    "Rio Scuro",
    "Sauvettine",
    "Orne Petite",
    "Wesselbach",
    "Moorgraben",
    "Kelm Beck",
    "Orlette",
]


def build_world(rng: random.Random):
    w = World(rng)
    specs: list[dict] = []
    questions: list[dict] = []
    budget: dict[str, int] = {}

    def add(key, kind, fn):
        specs.append(dict(key=key, kind=kind, fn=fn))

    def new_subject(name):
        budget[name] = rng.choice([0, 1, 1, 1, 2, 2, 3])

    def take(names, k):
        """Question subjects that may still be named outside their own article (each at most its budget)."""
        out = []
        for n in names:
            if len(out) >= k:
                break
            if budget.get(n, 99) > 0:
                if n in budget:
                    budget[n] -= 1
                out.append(n)
        return out

    def ask(rel, subj, subj_q, desc_q, answer, bridge, hop1, hop2, extra=None):
        questions.append(
            dict(
                rel=rel,
                subj=subj,
                subj_q=subj_q,
                desc_q=desc_q,
                answer=answer,
                bridge=bridge,
                hop1=hop1,
                hop2=hop2,
                extra=extra or {},
            )
        )

    def adjp(p):
        p["adj"] = NATS[p["nat"]]["adj"]
        return p

    # ---------------------------------------------------------------- universities (used by several relations)
    unames = UNIVERSITIES[:]
    rng.shuffle(unames)
    founded_years = rng.sample(range(1452, 1899), 12)
    univs = []
    for i, (name, unat) in enumerate(unames[:10]):
        city = rng.choice(NATS[unat]["cities"])
        words = [
            x
            for x in re.findall(r"[A-Z][a-z]+", name)
            if x
            not in (
                "University",
                "Of",
                "Institute",
                "Technology",
                "School",
                "Economics",
                "College",
                "Royal",
                "Polytechnic",
            )
        ]
        univs.append(
            dict(
                core=name,
                nat=unat,
                city=city,
                founded=founded_years[i],
                abbr="".join(x[0] for x in name.split() if x[0].isupper()),
                old=rng.choice(
                    [
                        f"the {words[0]} Academy",
                        f"the {words[0]} Seminary",
                        f"the {words[0]} Polytechnic School",
                        f"the {words[0]} College of Commerce",
                    ]
                ),
                status=founded_years[i] + rng.randint(30, 90),
                alumni=[],
                rector=w.minor(unat),
            )
        )

    # ---------------------------------------------------------------- R2 makers and products
    kinds = sorted(PRODUCT_KINDS)
    rng.shuffle(kinds)
    makers = []
    for kind in kinds:
        k = PRODUCT_KINDS[kind]
        m = w.company(rng.choice(k["sectors"]), k["industry"], k["does"])
        m["kind"] = kind
        makers.append(m)
    rival_makers = []
    for kind in kinds[:3]:
        k = PRODUCT_KINDS[kind]
        m = w.company(rng.choice(k["sectors"]), k["industry"], k["does"])
        m["kind"] = kind
        rival_makers.append(m)

    def product(m, pred=False):
        base = w.product_bases.pop()
        suf = rng.sample(MODEL_SUFFIXES, 2)
        pr = dict(name=f"{base} {suf[0]}", kind=m["kind"], maker=m, year=rng.randint(2014, 2023))
        if pred:
            pr["pred"] = f"{base} {suf[1]}"
            m["products"].append(pr["pred"])
        return pr

    q_products = []
    for i, m in enumerate(makers[:7]):
        for _ in range(2 if i < 2 else 1):
            pr = product(m, pred=rng.random() < 0.6)
            q_products.append(pr)
            new_subject(pr["name"])
    d_products = []
    for m in makers:
        pr = product(m, pred=rng.random() < 0.3)
        m["products"].append(pr["name"])
        d_products.append(pr)
    award_products = take([p["name"] for p in q_products], 4)
    for pr in q_products:
        if pr["name"] in award_products:
            pr["award"] = "Red Kite Design Award"
    for rm in rival_makers:  # rival products name a question product of the same kind
        target = next((p for p in q_products if p["kind"] == rm["kind"]), None)
        pr = product(rm)
        rm["products"].append(pr["name"])
        riv = target["name"] if target and take([target["name"]], 1) else None
        add(("product", pr["name"]), "product", doc_product(pr, rival=riv))
    for pr in q_products:
        add(("product", pr["name"]), "product", doc_product(pr, award=pr.get("award")))
        k = PRODUCT_KINDS[pr["kind"]]
        ask(
            "maker_country",
            pr["name"],
            pr["name"],
            f"{pr['name']} {k['qnoun']}",
            re.sub(r"^the ", "", pr["maker"]["country"]),
            pr["maker"]["core"],
            ("product", pr["name"]),
            ("company", pr["maker"]["core"]),
            dict(qnoun=k["qnoun"]),
        )
    for pr in d_products:
        add(("product", pr["name"]), "product", doc_product(pr))
    winners = award_products + [p["name"] for p in d_products[6:8]]
    rng.shuffle(winners)
    add(
        ("list", "redkite"),
        "list",
        doc_news(
            "Red Kite Design Award",
            lambda r, wl=winners: [
                "The Red Kite Design Award is an annual prize for industrial design, presented by an independent jury of designers and engineers.",
                f"Recent winners include the {join_and(wl)}.",
                f"The {r.randint(2016, 2022)} ceremony was held in {other_city(r)}.",
                "Entries are judged on function, durability and repairability.",
            ],
        ),
    )
    roundup = take([p["name"] for p in q_products], 4) + [p["name"] for p in d_products[:2]]
    rng.shuffle(roundup)
    add(
        ("list", "gadgets"),
        "list",
        doc_news(
            "2022 in consumer technology",
            lambda r, wl=roundup: [
                "2022 in consumer technology saw a slowdown in smartphone sales and a rise in repairable designs.",
                f"Products that attracted attention during the year included the {join_and(wl)}.",
                "Several manufacturers delayed launches because of component shortages.",
                f"The largest trade show of the year took place in {other_city(r)} in January.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R1 employers and employees
    sectors = EMPLOYER_SECTORS[:]
    rng.shuffle(sectors)
    employers = []
    for sec, ind, profs in sectors[:8]:
        e = w.company(
            sec,
            ind,
            rng.choice(
                [
                    f"provides {ind} products and services to industrial customers",
                    f"develops {ind} technology for customers in Europe and Asia",
                ]
            ),
        )
        e["profs"] = profs
        employers.append(e)
    for m in makers + rival_makers:
        m["profs"] = MAKER_PROFS

    def employee(c):
        p = adjp(w.person())
        prof = rng.choice(c["profs"])
        p.update(work=next(x for x in PROFESSIONS_WORK if x[0] == prof), born=rng.randint(1962, 1992), company=c)
        p["joined"] = rng.randint(max(p["born"] + 25, 2006), 2022)
        return p

    bridges_r1 = [
        employers[0],
        employers[0],
        employers[1],
        employers[1],
        employers[2],
        employers[3],
        employers[4],
        makers[2],
        makers[3],
    ]
    q_emps = []
    for c in bridges_r1:
        p = employee(c)
        q_emps.append(p)
        new_subject(p["full"])
    d_emps = [
        employee(c)
        for c in [
            employers[0],
            employers[1],
            employers[2],
            makers[2],
            employers[5],
            employers[6],
            employers[7],
            rival_makers[0],
            makers[4],
            employers[3],
            makers[5],
            employers[4],
        ]
    ]
    for award in AWARDS_WORK[:2]:
        names = take([p["full"] for p in q_emps], 3)
        extra = [p for p in d_emps if not p.get("award")][:2]
        recips = [p for p in q_emps if p["full"] in names] + extra
        for p in recips:
            p["award"] = award
        rl = [p["full"] for p in recips]
        rng.shuffle(rl)
        add(
            ("list", award),
            "list",
            doc_news(
                award,
                lambda r, a=award, rl=rl: [
                    f"The {a} is awarded each year to an engineer or scientist working in industry.",
                    f"It was established in {r.randint(1975, 2000)} by a professional society and carries a medal and a cash prize.",
                    f"Recipients since 2012 include {join_and(rl)}.",
                    f"The award ceremony is held each November in {other_city(r)}.",
                ],
            ),
        )
    summit = take([p["full"] for p in q_emps], 3) + [d_emps[3]["full"], d_emps[5]["full"]]
    rng.shuffle(summit)
    add(
        ("list", "summit"),
        "list",
        doc_news(
            "2021 Nordic Data Summit",
            lambda r, sl=summit: [
                f"The 2021 Nordic Data Summit was a two-day industry conference held in {other_city(r)} in September 2021.",
                f"Speakers included {join_and(sl)}.",
                f"About {r.randint(12, 30)}00 delegates attended, most of them in person.",
                "Sessions covered industrial machine learning, energy systems and data regulation.",
            ],
        ),
    )
    prev_pool = employers[5:] + rival_makers
    for i, p in enumerate(q_emps):
        prev = prev_pool[i % len(prev_pool)] if i % 3 == 1 else None
        add(
            ("person", p["full"]),
            "person",
            doc_employee(p, p["company"], prev=prev, univ=rng.choice(univs)["core"], award=p.get("award")),
        )
        ask(
            "employer_hq",
            p["full"],
            p["full"],
            f"the {p['adj']} {p['work'][0]} {p['full']}",
            p["company"]["hq"],
            p["company"]["core"],
            ("person", p["full"]),
            ("company", p["company"]["core"]),
        )
    for p in d_emps:
        add(
            ("person", p["full"]),
            "person",
            doc_employee(p, p["company"], univ=rng.choice(univs)["core"], award=p.get("award")),
        )
    for c in employers + makers + rival_makers:
        add(("company", c["core"]), "company", doc_company(c))
    allc = employers + makers
    for i in range(5):
        a, b = rng.sample(allc, 2)
        add(
            ("news", f"jv{i}"),
            "news",
            doc_news(
                f"{a['short']}–{b['short']} joint venture",
                lambda r, a=a, b=b: [
                    f"The {a['short']}–{b['short']} joint venture is a partnership announced in {r.choice(MONTHS)} {r.randint(2018, 2023)} between {a['core']} and {b['full']}.",
                    f"The two companies agreed to share research on {r.choice(['sensor calibration', 'low-carbon manufacturing', 'supply-chain software', 'battery materials'])}.",
                    f"{a['short']} was to hold {r.randint(51, 70)} per cent of the venture.",
                    f"Analysts described the deal as {r.choice(['modest', 'a sign of consolidation', 'defensive'])}.",
                    f"The first joint product was expected within {r.randint(2, 4)} years.",
                ],
            ),
        )
    index = rng.sample(allc, 7)
    add(
        ("list", "index"),
        "list",
        doc_news(
            "Northern Technology 50",
            lambda r, ix=index: [
                "The Northern Technology 50 is an annual ranking of fast-growing technology companies compiled by a business weekly.",
                f"Companies on the {r.randint(2019, 2023)} list included {join_and([c['core'] for c in ix])}.",
                "The ranking is based on revenue growth over three years.",
                "Critics have noted that it excludes privately held firms that do not publish accounts.",
            ],
        ),
    )
    recall = rng.sample(makers, 2)
    add(
        ("news", "recall"),
        "news",
        doc_news(
            "2023 battery recall",
            lambda r, rc=recall: [
                f"The 2023 battery recall was a voluntary product recall announced jointly by {rc[0]['full']} and {rc[1]['core']} in {r.choice(MONTHS)} 2023.",
                "Both companies had bought lithium-ion cells from the same supplier, which admitted a fault in one production batch.",
                f"About {r.randint(12, 90)},000 devices were affected.",
                "No injuries were reported.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R3 films and directors
    titles = FILM_TITLES[:]
    rng.shuffle(titles)
    directors = []
    for _ in range(12):
        d = adjp(w.person())
        d.update(born=rng.randint(1950, 1986), films=[])
        d["birth"] = rng.choice(NATS[d["nat"]]["cities"])
        directors.append(d)
    actors = [adjp(w.person()) for _ in range(10)]
    for a in actors:
        a["born"] = rng.randint(1955, 1995)

    def film(d):
        return dict(
            title=titles.pop(),
            director=d,
            year=rng.randint(2004, 2023),
            genre=rng.choice(FILM_GENRES),
            plot=rng.choice(FILM_PLOTS),
            festival=rng.choice(FESTIVALS),
            prodco=rng.choice(PROD_COS),
            cast=rng.sample(actors, 3),
            writer=w.minor(d["nat"]),
            composer=w.minor(),
        )

    q_films = []
    for d in directors[:9]:
        f = film(d)
        q_films.append(f)
        new_subject(f["title"])
    d_films = []
    for d in directors:
        for _ in range(2):
            f = film(d)
            d["films"].append(f)
            d_films.append(f)
    for f in q_films:
        add(("film", f["title"]), "film", doc_film(f))
        ask(
            "director_birthplace",
            f["title"],
            f["title"],
            dict(year=f["year"], genre=f["genre"]),
            f["director"]["birth"],
            f["director"]["full"],
            ("film", f["title"]),
            ("person", f["director"]["full"]),
        )
    for f in d_films[::2]:
        add(("film", f["title"]), "film", doc_film(f))
    for d in directors:
        add(("person", d["full"]), "person", doc_director(d))
    for a in actors[:7]:
        qs = [f for f in q_films if a in f["cast"]]
        names = set(take([f["title"] for f in qs], 2))
        fl = [f for f in qs if f["title"] in names] + [f for f in d_films if a in f["cast"]][:2]
        if len(fl) < 2:
            fl += [f for f in d_films if f not in fl][:2]
        fl.sort(key=lambda f: f["year"])
        add(("person", a["full"]), "person", doc_actor(a, fl))
    for fest, year in [(FESTIVALS[0], 2016), (FESTIVALS[2], 2019)]:
        names = set(take([f["title"] for f in q_films], 3))
        fl = [f for f in q_films if f["title"] in names] + rng.sample(d_films, 2)
        rng.shuffle(fl)
        add(("list", fest), "list", doc_festival(fest, year, fl))
    jury = rng.sample(directors, 4)
    add(
        ("news", "directors"),
        "news",
        doc_news(
            "Directors' Fortnight jury controversy",
            lambda r, j=jury: [
                f"The Directors' Fortnight jury controversy arose in {r.randint(2015, 2022)} when the selection committee, made up of {join_and([d['full'] for d in j])}, rejected every debut film submitted.",
                f"{j[0]['full']} defended the decision in an open letter.",
                "Several producers' associations called for a change to the rules.",
                "The festival introduced a separate debut section the following year.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R4 albums and bands
    album_pool = ALBUM_TITLES[:]
    rng.shuffle(album_pool)
    multi = [t for t in album_pool if " " in t]
    single_word = [t for t in album_pool if " " not in t]
    songs = SONGS[:]
    rng.shuffle(songs)
    band_names = BANDS[:]
    rng.shuffle(band_names)
    bands = []
    for name in band_names[:12]:
        nat = rng.choice(["uk", "uk", "ie", "us", "se", "no", "au", "ca", "de", "nl"])
        has_the = name.startswith("The ")
        bands.append(
            dict(
                core=name[4:] if has_the else name,
                has_the=has_the,
                the_form=name,
                adj=NATS[nat]["adj"],
                nat=nat,
                genre=rng.choice(BAND_GENRES),
                city=rng.choice(NATS[nat]["cities"]),
                formed=rng.randint(1996, 2012),
                members=w.minors(nat, 3),
                label=rng.choice(LABELS),
                albums=[],
                peers=[],
            )
        )
    for b in bands:
        b["albums"] = [single_word.pop() if rng.random() < 0.4 and single_word else multi.pop() for _ in range(2)]
    producers = [adjp(w.person()) for _ in range(5)]
    for p in producers:
        p["born"] = rng.randint(1960, 1988)
    q_albums = []
    for i, b in enumerate(bands[:8]):
        for _ in range(2 if i == 0 else 1):
            al = dict(
                title=multi.pop(),
                band=b,
                year=b["formed"] + rng.randint(3, 9),
                ord=rng.choice(ORD[1:5]),
                label=b["label"],
                producer=rng.choice(producers),
                single=songs.pop(),
            )
            q_albums.append(al)
            new_subject(al["title"])
    for b in bands:
        b["peers"] = [x["the_form"] for x in rng.sample([x for x in bands if x is not b], rng.randint(0, 2))]
    d_albums = [
        dict(
            title=b["albums"][0],
            band=b,
            year=b["formed"] + 3,
            ord="debut",
            label=b["label"],
            producer=rng.choice(producers),
            single=songs.pop(),
        )
        for b in bands[:9]
    ]
    for prize, year in zip(MUSIC_PRIZES, (2017, 2020)):
        names = set(take([a["title"] for a in q_albums], 3))
        al = [a for a in q_albums if a["title"] in names] + rng.sample(d_albums, 2)
        for a in al:
            a.setdefault("prize", prize)
        rng.shuffle(al)
        add(("list", prize), "list", doc_music_prize(prize, year, al))
    for al in q_albums:
        add(("album", al["title"]), "album", doc_album(al))
        ask(
            "band_origin",
            al["title"],
            al["title"],
            dict(year=al["year"]),
            al["band"]["city"],
            al["band"]["core"],
            ("album", al["title"]),
            ("band", al["band"]["core"]),
        )
    for al in d_albums[:7]:
        add(("album", al["title"]), "album", doc_album(al))
    for b in bands:
        add(("band", b["core"]), "band", doc_band(b))
    for p in producers[:3]:
        qs = [a for a in q_albums if a["producer"] is p]
        names = set(take([a["title"] for a in qs], 2))
        al = [a for a in qs if a["title"] in names] + [a for a in d_albums if a["producer"] is p][:2]
        if not al:
            al = rng.sample(d_albums, 2)
        own = {a["band"]["core"] for a in al}
        others = [b["the_form"] for b in bands[8:] if b["core"] not in own][:2]
        add(("person", p["full"]), "person", doc_producer(p, al, others))
    lineup = rng.sample(bands, 6)
    add(
        ("news", "lineup"),
        "news",
        doc_news(
            "Eastport Festival 2019",
            lambda r, lu=lineup: [
                f"Eastport Festival 2019 was the {r.randint(8, 20)}th edition of the Eastport Festival, a three-day music festival held on a former airfield outside {other_city(r)}.",
                f"The line-up included {join_and([b['the_form'] for b in lu])}.",
                f"{lu[0]['the_form']} replaced a headliner who withdrew a week before the festival.",
                f"Attendance was estimated at {r.randint(20, 60)},000.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R5 alumni and universities
    bridges_r5 = [univs[0], univs[0]] + univs[1:7]

    def alum(u):
        p = adjp(w.person())
        p.update(acad=rng.choice(PROFESSIONS_ACAD), born=rng.randint(1945, 1990), univ=u)
        return p

    q_alums = []
    for u in bridges_r5:
        p = alum(u)
        q_alums.append(p)
        new_subject(p["full"])
    d_alums = []
    for u in [univs[0], univs[2], univs[7], univs[8], univs[9], univs[3], univs[5]]:
        p = alum(u)
        d_alums.append(p)
        u["alumni"].append(p)
    for u in univs:
        while len(u["alumni"]) < 3:
            u["alumni"].append(w.minor(u["nat"]))
    names = take([p["full"] for p in q_alums], 4)
    medal = [p for p in q_alums if p["full"] in names] + d_alums[:2]
    for p in medal:
        p["award"] = AWARDS_ACAD[0]
    ml = [p["full"] for p in medal]
    rng.shuffle(ml)
    add(
        ("list", "lindgren"),
        "list",
        doc_news(
            AWARDS_ACAD[0],
            lambda r, ml=ml: [
                f"The {AWARDS_ACAD[0]} is a scientific award given every year by a learned society for outstanding contributions to research.",
                f"It was first awarded in {r.randint(1950, 1980)}.",
                f"Recent recipients include {join_and(ml)}.",
                "The medal is cast in bronze and shows a lighthouse on its reverse.",
            ],
        ),
    )
    for p in q_alums:
        add(("person", p["full"]), "person", doc_alum(p, p["univ"], award=p.get("award")))
        ask(
            "alma_mater_founded",
            p["full"],
            p["full"],
            f"the {p['adj']} {p['acad'][0]} {p['full']}",
            str(p["univ"]["founded"]),
            p["univ"]["core"],
            ("person", p["full"]),
            ("university", p["univ"]["core"]),
        )
    for i, p in enumerate(d_alums):
        cands = take([q["full"] for q in q_alums if q["univ"] is not p["univ"]], 1) if i < 4 else []
        add(
            ("person", p["full"]),
            "person",
            doc_alum(p, p["univ"], award=p.get("award"), colleague=cands[0] if cands else None),
        )
    for u in univs:
        add(("university", u["core"]), "university", doc_university(u))
    ranked = rng.sample(univs, 6)
    add(
        ("news", "ranking"),
        "news",
        doc_news(
            "2022 Northern Universities Ranking",
            lambda r, rk=ranked: [
                "The 2022 Northern Universities Ranking was the eleventh edition of a league table of research universities published by an education magazine.",
                f"The top places went to {join_and([inst(x['core']) for x in rk[:3]])}.",
                f"{cap(inst(rk[3]['core']))} and {inst(rk[4]['core'])} both rose by more than ten places, while {inst(rk[5]['core'])} dropped out of the top fifty.",
                "The methodology gives the greatest weight to citations per staff member.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R6 books and publishers
    pnames = PUBLISHERS[:]
    rng.shuffle(pnames)
    imp_words = IMPRINT_WORDS[:]
    rng.shuffle(imp_words)
    pubs = []
    for name in pnames[:10]:
        nat = rng.choice(["uk", "uk", "ie", "us", "us", "ca", "au"])
        city = rng.choice(NATS[nat]["cities"])
        full = (name + (" Publishers" if "&" in name else " " + NATS[nat]["suffix"])) if rng.random() < 0.7 else name
        pubs.append(
            dict(
                core=name,
                full=full,
                city=city,
                founded=rng.randint(1890, 1996),
                founder=w.minor(nat),
                imprints=[f"{imp_words.pop()} Books" for _ in range(2)],
                authors=[],
                md=w.minor(nat),
            )
        )
    btitles = BOOK_TITLES[:]
    rng.shuffle(btitles)
    authors = [adjp(w.person()) for _ in range(9)]
    for a in authors:
        a["born"] = rng.randint(1948, 1990)

    def book(pb, a):
        return dict(
            title=btitles.pop(),
            author=a,
            pub=pb,
            year=rng.randint(max(a["born"] + 25, 1995), 2023),
            genre=rng.choice(BOOK_GENRES),
            plot=rng.choice(BOOK_PLOTS),
            imprint=rng.choice(pb["imprints"]),
        )

    q_books = []
    for i, pb in enumerate([pubs[0]] + pubs[:7]):
        b = book(pb, authors[i])
        q_books.append(b)
        new_subject(b["title"])
    d_books = [book(pubs[(i * 3) % 10], authors[(i + 2) % 9]) for i in range(8)]
    for pb in pubs:
        pb["authors"] = [b["author"] for b in d_books if b["pub"] is pb][:2] or [authors[8]]
    for prize, year in zip(BOOK_PRIZES, (2018, 2021)):
        names = set(take([b["title"] for b in q_books], 3))
        bl = [b for b in q_books if b["title"] in names] + rng.sample(d_books, 2)
        for b in bl:
            b.setdefault("prize", prize)
        rng.shuffle(bl)
        add(("list", prize), "list", doc_book_prize(prize, year, bl))
    for b in q_books:
        add(("book", b["title"]), "book", doc_book(b))
        ask(
            "publisher_founder",
            b["title"],
            b["title"],
            dict(year=b["year"], genre=b["genre"], author=b["author"]["full"]),
            b["pub"]["founder"]["full"],
            b["pub"]["core"],
            ("book", b["title"]),
            ("publisher", b["pub"]["core"]),
        )
    for b in d_books[:7]:
        add(("book", b["title"]), "book", doc_book(b))
    for pb in pubs:
        add(("publisher", pb["core"]), "publisher", doc_publisher(pb))
    for a in authors[:6]:
        qs = [b for b in q_books if b["author"] is a]
        names = set(take([b["title"] for b in qs], 1))
        bl = [b for b in qs if b["title"] in names] + [b for b in d_books if b["author"] is a]
        if len(bl) < 2:
            bl.append(dict(title=btitles.pop(), year=rng.randint(max(a["born"] + 25, 1990), 2023)))
        bl.sort(key=lambda b: b["year"])
        add(("person", a["full"]), "person", doc_author(a, bl))
    fair = rng.sample(pubs, 5)
    add(
        ("news", "bookfair"),
        "news",
        doc_news(
            "2023 Harbourside Book Fair",
            lambda r, fp=fair: [
                f"The 2023 Harbourside Book Fair was held in {other_city(r)} over four days in April 2023.",
                f"Exhibitors included {join_and([p['core'] for p in fp])}.",
                f"{fp[0]['core']} announced a new translation series at the fair.",
                f"Organisers counted about {r.randint(30, 90)},000 visitors.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R7 athletes and clubs
    clubs_raw = CLUBS[:]
    rng.shuffle(clubs_raw)
    clubs = []
    for core, alt, sport, nat, town, label, stadium in clubs_raw[:11]:
        league = HOCKEY_LEAGUES.get(nat) if sport == "ice hockey" else LEAGUES.get(nat, "national top division")
        clubs.append(
            dict(
                core=core,
                alt=alt,
                sport=sport,
                nat=nat,
                city=town,
                country=label,
                stadium=stadium,
                capacity=rng.randint(4, 30) * 1000 + rng.randint(0, 9) * 100,
                opened=rng.randint(1925, 2015),
                founded=rng.randint(1889, 1975),
                league=league,
                colours=rng.choice(
                    ["red and white", "blue and yellow", "green and black", "sky blue and navy", "amber and black"]
                ),
                nick=rng.choice(["the Yellow Wall", "the Wolves", "the Old Guard", "the Tide", "the North End"]),
                coach=w.minor(nat, "m"),
                players=[],
            )
        )

    def athlete(cl, local=True):
        p = adjp(w.person(cl["nat"] if local or rng.random() < 0.6 else None, "m"))
        p.update(
            club=cl, born=rng.randint(1990, 2003), pos=rng.choice(FOOT_POS if cl["sport"] == "football" else HOCKEY_POS)
        )
        p["joined"] = rng.randint(p["born"] + 19, 2023)
        return p

    q_aths = []
    for cl in [clubs[0]] + clubs[:7]:
        p = athlete(cl, local=False)
        q_aths.append(p)
        new_subject(p["full"])
    d_aths = []
    for cl in [clubs[0], clubs[1], clubs[7], clubs[8], clubs[9], clubs[10], clubs[3]]:
        p = athlete(cl)
        d_aths.append(p)
        cl["players"].append(p)
    for cl in clubs:
        while len(cl["players"]) < 2:
            cl["players"].append(w.minor(cl["nat"], "m"))
    for i, p in enumerate(q_aths):
        same = [c for c in clubs if c["sport"] == p["club"]["sport"] and c is not p["club"]]
        youth = rng.choice(same) if same and rng.random() < 0.6 else None
        prev = rng.choice([c for c in same if c is not youth]) if same and i % 3 == 0 and len(same) > 1 else None
        add(("person", p["full"]), "person", doc_athlete(p, p["club"], youth=youth, prev=prev))
        noun = "footballer" if p["club"]["sport"] == "football" else "ice hockey player"
        ask(
            "club_ground",
            p["full"],
            p["full"],
            f"the {p['adj']} {noun} {p['full']}",
            p["club"]["stadium"],
            p["club"]["core"],
            ("person", p["full"]),
            ("club", p["club"]["core"]),
        )
    for p in d_aths[:6]:
        add(("person", p["full"]), "person", doc_athlete(p, p["club"]))
    for cl in clubs:
        add(("club", cl["core"]), "club", doc_club(cl))
    names = take([p["full"] for p in q_aths], 4) + [d_aths[0]["full"], d_aths[2]["full"]]
    rng.shuffle(names)
    add(
        ("list", "poty"),
        "list",
        doc_news(
            "European Young Player of the Year",
            lambda r, nl=names: [
                "The European Young Player of the Year is an award given by a panel of sports journalists to the best player under 23.",
                f"It was first presented in {r.randint(1985, 2005)}.",
                f"Nominees in recent seasons have included {join_and(nl)}.",
                "The winner is announced at a gala in December.",
            ],
        ),
    )
    names = take([p["full"] for p in q_aths], 3) + [d_aths[1]["full"], d_aths[3]["full"], d_aths[4]["full"]]
    rng.shuffle(names)
    add(
        ("list", "allstars"),
        "list",
        doc_news(
            "2023 Nations Cup",
            lambda r, nl=names: [
                f"The 2023 Nations Cup was an invitational tournament for national teams held in {other_city(r)} in June 2023.",
                f"Players named in the team of the tournament included {join_and(nl)}.",
                "The final was decided on penalties.",
                f"Attendance across the tournament exceeded {r.randint(100, 300)},000.",
            ],
        ),
    )
    season = [c for c in clubs if c["sport"] == "football"][:6]
    add(
        ("news", "transfers"),
        "news",
        doc_news(
            "2022 summer transfer window",
            lambda r, sc=season: [
                "The 2022 summer transfer window ran from June to early September across most European leagues.",
                f"Clubs that spent heavily included {join_and([c['core'] for c in sc[:3]])}.",
                f"{sc[3]['core']} and {sc[4]['core']} sold their captains, while {sc[5]['core']} signed {r.randint(6, 11)} new players.",
                "Total spending fell for the second year in a row.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R8 buildings and architects
    blist = BUILDINGS[:]
    rng.shuffle(blist)
    archs = []
    for _ in range(11):
        a = adjp(w.person())
        a.update(
            born=rng.randint(1925, 1975),
            base=rng.choice(NATS[a["nat"]]["cities"]),
            school=rng.choice(univs)["core"],
            works=[],
        )
        if a["born"] < 1950 and rng.random() < 0.7:
            a["died"] = rng.randint(2008, 2023)
        archs.append(a)

    def building(a):
        name, typ, tall = blist.pop()
        return dict(
            name=name,
            type=typ,
            tall=tall,
            architect=a,
            city=rng.choice(ALL_CITIES),
            height=rng.randint(60, 190) if tall else 0,
            floors=rng.randint(16, 48) if tall else 0,
            year=rng.randint(a["born"] + 35, min(a["born"] + 75, a.get("died", 2023), 2023)),
        )

    q_blds = []
    for a in archs[:8]:
        bd = building(a)
        q_blds.append(bd)
        new_subject(bd["name"])
    d_blds = []
    for a in archs:
        if blist:
            bd = building(a)
            a["works"].append(bd)
            d_blds.append(bd)
    for prize, year in zip(ARCH_PRIZES, (2016, 2021)):
        names = set(take([b["name"] for b in q_blds], 3))
        bl = [b for b in q_blds if b["name"] in names] + rng.sample(d_blds, 2)
        rng.shuffle(bl)
        title = f"{year} Civic Architecture Awards" if prize == ARCH_PRIZES[0] else f"{year} World Building Festival"
        add(
            ("list", prize),
            "list",
            doc_news(
                title,
                lambda r, bl=bl, t=title: [
                    f"The {t} recognised public and commercial buildings completed in the previous three years.",
                    f"Shortlisted projects included {join_and(['the ' + b['name'] + ' in ' + b['city'] for b in bl])}.",
                    f"The overall prize went to the {bl[0]['name']}.",
                    "The jury visited every shortlisted building in person.",
                ],
            ),
        )
    for bd in q_blds:
        add(("building", bd["name"]), "building", doc_building(bd))
        ask(
            "architect_nationality",
            bd["name"],
            bd["name"],
            dict(city=bd["city"]),
            bd["architect"]["adj"],
            bd["architect"]["full"],
            ("building", bd["name"]),
            ("person", bd["architect"]["full"]),
        )
    for bd in d_blds[:8]:
        add(("building", bd["name"]), "building", doc_building(bd))
    for a in archs:
        add(("person", a["full"]), "person", doc_architect(a))
    comp = rng.sample(archs, 4)
    add(
        ("news", "competition"),
        "news",
        doc_news(
            "Harbour Museum design competition",
            lambda r, cp=comp: [
                f"The Harbour Museum design competition was an international architectural competition held in {r.randint(2010, 2021)} for a new maritime museum in {other_city(r)}.",
                f"The finalists were {join_and([a['full'] for a in cp])}.",
                f"{cp[0]['full']} won with a design of stacked timber boxes.",
                "The project was later cancelled after a change of city government.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R9 ships and shipyards
    yards_raw = SHIPYARDS[:]
    rng.shuffle(yards_raw)
    snames = SHIPS[:]
    rng.shuffle(snames)
    yards = [
        dict(core=c, full=f, city=city, founded=rng.randint(1850, 1975), owner=rng.choice(OWNERS), ships=[])
        for c, f, city in yards_raw[:10]
    ]
    ops = [dict(name=n, area=area, ports=ports, founded=rng.randint(1960, 2005)) for n, area, ports in OPERATORS]

    def ship(y):
        op = rng.choice(ops)
        return dict(
            name=snames.pop(),
            prefix=rng.choice(["MS", "MV"]),
            yard=y,
            type=rng.choice(SHIP_TYPES),
            operator=op["name"],
            ports=op["ports"],
            year=rng.randint(1995, 2022),
            gt=rng.randint(8, 60) * 1000,
            pax=rng.randint(3, 25) * 100,
        )

    q_ships = []
    for y in [yards[0]] + yards[:7]:
        sh = ship(y)
        q_ships.append(sh)
        new_subject(sh["name"])
    d_ships = []
    for y in yards:
        if snames:
            sh = ship(y)
            y["ships"].append(f"{sh['prefix']} {sh['name']}")
            d_ships.append(sh)
    for sh in q_ships:
        sib = next((d for d in d_ships if d["yard"] is sh["yard"]), None)
        if sib and rng.random() < 0.5:
            sh["sister"] = f"{sib['prefix']} {sib['name']}"
        add(("ship", sh["name"]), "ship", doc_ship(sh))
        ask(
            "shipyard_city",
            sh["name"],
            f"{sh['prefix']} {sh['name']}",
            dict(type=sh["type"]),
            sh["yard"]["city"],
            sh["yard"]["core"],
            ("ship", sh["name"]),
            ("shipyard", sh["yard"]["core"]),
        )
    for sh in d_ships[:8]:
        add(("ship", sh["name"]), "ship", doc_ship(sh))
    for y in yards:
        add(("shipyard", y["core"]), "shipyard", doc_shipyard(y))
    for op in ops:
        mine = [s for s in q_ships if s["operator"] == op["name"]]
        names = set(take([s["name"] for s in mine], 2))
        fl = [s for s in mine if s["name"] in names] + [s for s in d_ships if s["operator"] == op["name"]]
        if len(fl) >= 2:
            add(("operator", op["name"]), "operator", doc_operator(op, fl))
    yl = rng.sample(yards, 5)
    add(
        ("news", "yards"),
        "news",
        doc_news(
            "European shipbuilding order slump",
            lambda r, yl=yl: [
                f"The European shipbuilding order slump refers to the sharp fall in new orders for passenger ships in {r.randint(2020, 2021)}.",
                f"Yards affected included {join_and([y['core'] for y in yl])}.",
                f"{yl[0]['core']} cut about {r.randint(2, 9)}00 jobs, and {yl[1]['core']} postponed a new dry dock.",
                "Orders recovered partly from 2023 as ferry operators renewed ageing fleets.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R10 towns and rivers
    rivers = []
    for i, (core, title, nat, region, label, sea, port, near, towns) in enumerate(RIVERS):
        ts = towns[:]
        rng.shuffle(ts)
        rivers.append(
            dict(
                core=core,
                title=title,
                nat=nat,
                region=region,
                country=label,
                sea=sea,
                port=port,
                near=near,
                townpool=ts,
                towns=[],
                length=rng.randint(40, 260),
                source=RIVER_SOURCES[i],
                dir=rng.choice(["north", "south", "east", "west", "north-west", "south-east"]),
                tribs=rng.sample(TRIBS, 2),
            )
        )
    rng.shuffle(rivers)
    seen = set()
    firsts, rest = [], []
    for rv in rivers:  # rivers ending in distinct seas first: those are the bridges
        (rest if rv["sea"] in seen else firsts).append(rv)
        seen.add(rv["sea"])
    rivers = firsts + rest

    def town(rv):
        return dict(
            name=rv["townpool"].pop(),
            nat=rv["nat"],
            river=rv,
            region=rv["region"],
            kind=rng.choice(["market town", "small town", "municipality", "town"]),
            near=rv["near"],
            pop=rng.randint(2, 40) * 1000 + rng.randint(0, 999),
            first=rng.randint(1086, 1400),
        )

    q_towns = []
    for rv in rivers[:8]:
        t = town(rv)
        q_towns.append(t)
        new_subject(t["name"])
    d_towns = []
    for rv in rivers:
        while rv["townpool"] and len(rv["towns"]) < 2:
            t = town(rv)
            rv["towns"].append(t["name"])
            d_towns.append(t)
    for t in q_towns:
        add(("town", t["name"]), "town", doc_town(t))
        ask(
            "river_mouth",
            t["name"],
            t["name"],
            dict(kind=t["kind"], country=t["river"]["country"]),
            t["river"]["sea"],
            t["river"]["core"],
            ("town", t["name"]),
            ("river", t["river"]["core"]),
        )
    for t in d_towns[:9]:
        add(("town", t["name"]), "town", doc_town(t))
    for rv in rivers:
        add(("river", rv["core"]), "river", doc_river(rv))
    bynat = defaultdict(list)
    for t in q_towns + d_towns:
        bynat[(t["nat"], t["river"]["country"])].append(t)
    for (nat, label), ts in sorted(bynat.items()):
        names = set(take([t["name"] for t in ts if t in q_towns], 2))
        tl = [t for t in ts if t["name"] in names or t not in q_towns]
        if len(tl) >= 2 and label in DISTRICTS and (("list", DISTRICTS[label]) not in [sp["key"] for sp in specs]):
            add(("list", DISTRICTS[label]), "list", doc_region(DISTRICTS[label], tl, nat, label))
    fl = rng.sample(rivers, 5)
    add(
        ("news", "floods"),
        "news",
        doc_news(
            "2021 spring floods",
            lambda r, fl=fl: [
                "The 2021 spring floods followed a week of heavy rain and rapid snowmelt across several European countries.",
                f"Rivers that burst their banks included {join_and(['the ' + x['core'] for x in fl[:3]])}.",
                f"Levels on the {fl[3]['core']} and the {fl[4]['core']} reached their highest in forty years.",
                f"Damage was estimated at {r.randint(2, 9)} billion euros.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R11 paintings and museums
    mraw = MUSEUMS[:]
    rng.shuffle(mraw)
    ptitles = PAINTINGS[:]
    rng.shuffle(ptitles)
    painters = []
    for _ in range(9):
        p = adjp(w.person())
        p["born"] = rng.randint(1820, 1885)
        p["died"] = p["born"] + rng.randint(40, 80)
        painters.append(p)
    museums = [
        dict(
            core=c,
            alt=a,
            city=rng.choice(NATS[n]["cities"]),
            founded=rng.randint(1850, 1990),
            collector=w.minor(n),
            painters=[],
            director=w.minor(n),
        )
        for c, a, n in mraw[:10]
    ]
    spare_titles = ["Self-Portrait with Easel", "The Artist's Mother", "View from the Studio Window", "Boats at Anchor"]

    def painting(m):
        pa = rng.choice(painters)
        y = rng.randint(pa["born"] + 20, pa["died"] - 2)
        t = ptitles.pop()
        return dict(
            title=t,
            painter=pa,
            museum=m,
            year=y,
            acq=rng.randint(max(y + 5, m["founded"]), 2015),
            scene=SCENES[PAINTINGS.index(t)],
        )

    q_paints = []
    for m in [museums[0]] + museums[:7]:
        pt = painting(m)
        q_paints.append(pt)
        new_subject(pt["title"])
    d_paints = []
    for m in museums:
        if ptitles:
            pt = painting(m)
            d_paints.append(pt)
            m["star"] = pt["title"]
    for m in museums:
        m["painters"] = rng.sample(painters, 2)
    for pt in q_paints:
        add(("painting", pt["title"]), "painting", doc_painting(pt))
        ask(
            "museum_city",
            pt["title"],
            pt["title"],
            dict(painter=pt["painter"]["full"]),
            pt["museum"]["city"],
            pt["museum"]["core"],
            ("painting", pt["title"]),
            ("museum", pt["museum"]["core"]),
        )
    for pt in d_paints[:6]:
        add(("painting", pt["title"]), "painting", doc_painting(pt))
    for m in museums:
        add(("museum", m["core"]), "museum", doc_museum(m))
    for pa in painters[:6]:
        qs = [p for p in q_paints if p["painter"] is pa]
        names = set(take([p["title"] for p in qs], 2))
        pl = [p for p in qs if p["title"] in names] + [p for p in d_paints if p["painter"] is pa]
        if len(pl) < 2:
            pl.append(dict(title=spare_titles.pop(), year=rng.randint(pa["born"] + 20, pa["died"] - 1)))
        pl.sort(key=lambda p: p["year"])
        add(("person", pa["full"]), "person", doc_painter(pa, pl))
    for ename, host in [("Light of the North", museums[8]), ("Painters of the Coast", museums[9])]:
        names = set(take([p["title"] for p in q_paints], 3))
        pl = [p for p in q_paints if p["title"] in names] + rng.sample(d_paints, 1)
        add(
            ("list", ename),
            "list",
            doc_news(
                f"{ename} (exhibition)",
                lambda r, pl=pl, en=ename, h=host: [
                    f"{en} was a loan exhibition of nineteenth-century painting shown at the {h['core']} in {r.randint(2012, 2022)}.",
                    f"It brought together {r.randint(60, 140)} works, among them {join_and([p['title'] for p in pl])}.",
                    "The catalogue won a prize for art publishing.",
                    f"The exhibition drew about {r.randint(80, 300)},000 visitors.",
                ],
            ),
        )
    ml = rng.sample(museums[:8], 4)
    add(
        ("news", "museumnight"),
        "news",
        doc_news(
            "Museum directors' letter on loan insurance",
            lambda r, ml=ml: [
                f"The museum directors' letter on loan insurance was an open letter published in {r.randint(2016, 2023)} by the heads of several European art museums.",
                f"Signatories included the directors of {join_and(['the ' + m['core'] for m in ml])}.",
                "The letter asked governments to extend state indemnity schemes to international loans.",
                "Two governments changed their rules the following year.",
            ],
        ),
    )

    # ---------------------------------------------------------------- R12 politicians and parties
    praw = PARTIES[:]
    rng.shuffle(praw)
    natpool = PARTY_NATS[:]
    rng.shuffle(natpool)
    parties = []
    for i, (core, abbr, ideo) in enumerate(praw):
        nat = natpool[i]
        trio = w.minors(nat, 3)
        parties.append(
            dict(
                core=core,
                abbr=abbr,
                ideology=ideo,
                nat=nat,
                founded=rng.randint(1905, 2010),
                founder=trio[0],
                leader=trio[1],
                prev_leader=trio[2],
                since=rng.randint(2012, 2023),
                youth=YOUTH_WINGS[PARTIES.index((core, abbr, ideo))],
            )
        )

    def politician(pt):
        p = adjp(w.person(pt["nat"]))
        p.update(
            party=pt,
            born=rng.randint(1955, 1992),
            job=rng.choice(POL_JOBS),
            seat=f"{rng.choice(NATS[pt['nat']]['cities'])} {rng.choice(['North', 'South', 'East', 'West', 'Central'])}",
        )
        p["elected"] = rng.randint(max(p["born"] + 28, 2005), 2022)
        return p

    q_pols = []
    for pt in [parties[0]] + parties[:7]:
        p = politician(pt)
        q_pols.append(p)
        new_subject(p["full"])
    d_pols = [
        politician(pt) for pt in [parties[1], parties[2], parties[7], parties[8], parties[9], parties[0], parties[4]]
    ]
    for i, p in enumerate(q_pols):
        prev = next((x for x in parties[7:] if x["nat"] == p["nat"]), None) if i % 4 == 2 else None
        add(("person", p["full"]), "person", doc_politician(p, p["party"], prev=prev, committee=rng.choice(COMMITTEES)))
        ask(
            "party_leader",
            p["full"],
            p["full"],
            f"the {p['adj']} politician {p['full']}",
            p["party"]["leader"]["full"],
            p["party"]["core"],
            ("person", p["full"]),
            ("party", p["party"]["core"]),
        )
    for p in d_pols:
        add(("person", p["full"]), "person", doc_politician(p, p["party"], committee=rng.choice(COMMITTEES)))
    for pt in parties:
        add(("party", pt["core"]), "party", doc_party(pt))
    for j, gname in enumerate(
        ["Inter-Parliamentary Working Group on Rural Affairs", "Nordic-Baltic Parliamentary Forum on Energy"]
    ):
        names = take([p["full"] for p in q_pols], 4)
        ml = names + [d_pols[j]["full"], d_pols[j + 2]["full"]]
        rng.shuffle(ml)
        add(
            ("list", gname),
            "list",
            doc_news(
                gname,
                lambda r, ml=ml, g=gname: [
                    f"The {g} is an informal body of members of European national parliaments, set up in {r.randint(2009, 2018)}.",
                    f"Its members have included {join_and(ml)}.",
                    f"It meets twice a year, most recently in {other_city(r)}.",
                    "It has no legislative powers but publishes joint recommendations.",
                ],
            ),
        )
    for j in range(2):
        pl = rng.sample(parties, 3)
        add(
            ("news", f"coalition{j}"),
            "news",
            doc_news(
                f"{2015 + 4 * j} cross-border party talks",
                lambda r, pl=pl, j=j: [
                    f"The {2015 + 4 * j} cross-border party talks were negotiations between the {pl[0]['core']}, the {pl[1]['core']} and the {pl[2]['core']} on forming a joint group in the European Parliament.",
                    f"The talks lasted {r.randint(3, 11)} weeks.",
                    f"They collapsed over {r.choice(['fuel taxes', 'farm subsidies', 'fisheries quotas', 'pension reform'])}.",
                    f"The {pl[1]['core']} later described the process as a missed opportunity.",
                ],
            ),
        )
    return specs, questions, budget


# --------------------------------------------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------------------------------------------

TEMPLATES = {
    "employer_hq": (
        [
            "In which city is the company that {s} works for headquartered?",
            "Where is the employer of {s} headquartered?",
            "{s} works for a company; in which city is that company based?",
            "What city is the firm {s} works at based in?",
        ],
        ["In which city is the employer of {d} headquartered?", "Where is the company that employs {d} based?"],
    ),
    "maker_country": (
        [
            "Which country is the maker of the {s} {qnoun} from?",
            "In what country is the manufacturer of the {s} based?",
            "The {s} is made by a company from which country?",
            "What country does the company that produces the {s} come from?",
        ],
        ["Which country is the company behind the {d} from?"],
    ),
    "director_birthplace": (
        [
            "Where was the director of {s} born?",
            "In which city was the person who directed {s} born?",
            "{s} was directed by someone born in which city?",
        ],
        [
            "What is the birthplace of the director of the {year} {genre} film {s}?",
            "In which city was the filmmaker behind the {year} film {s} born?",
        ],
    ),
    "band_origin": (
        [
            "In which city was the band that released {s} formed?",
            "Where was the group behind the album {s} formed?",
            "The album {s} was recorded by a band formed in what city?",
        ],
        ["In which city was the band behind the {year} album {s} formed?"],
    ),
    "alma_mater_founded": (
        [
            "In what year was the university where {s} studied founded?",
            "When was the university attended by {s} founded?",
            "{s} graduated from a university founded in which year?",
        ],
        ["In which year was the alma mater of {d} founded?", "When was the university that {d} attended established?"],
    ),
    "publisher_founder": (
        [
            "Who founded the publishing house that published {s}?",
            "Who is the founder of the publisher of {s}?",
            "{s} was published by a house founded by whom?",
        ],
        ["Who founded the publisher of the {year} {genre} {s}?", "Who founded the publisher of {s} by {author}?"],
    ),
    "club_ground": (
        [
            "What is the home ground of the club that {s} plays for?",
            "At which stadium does the team of {s} play its home matches?",
            "Where does the club {s} currently plays for play its home games?",
        ],
        ["What is the name of the home stadium of the club {d} plays for?"],
    ),
    "architect_nationality": (
        [
            "What nationality is the architect who designed the {s}?",
            "The architect of the {s} was of what nationality?",
            "Which nationality does the designer of the {s} have?",
        ],
        ["What nationality is the architect of the {s} in {city}?"],
    ),
    "shipyard_city": (
        [
            "In which city is the shipyard that built the {s} located?",
            "Where is the yard that built the {s}?",
            "The {s} was built by a shipyard in which city?",
        ],
        ["In which city is the shipyard that built the {type} {s}?"],
    ),
    "river_mouth": (
        [
            "Into which sea does the river that flows through {s} empty?",
            "The town of {s} lies on a river that flows into which body of water?",
            "Which sea does the river at {s} drain into?",
        ],
        ["Into which sea does the river flowing through the {kind} of {s} in {country} empty?"],
    ),
    "museum_city": (
        [
            "In which city is the museum that holds {s}?",
            "Where is the museum that owns the painting {s} located?",
            "The painting {s} hangs in a museum in which city?",
        ],
        ["In which city is the museum that holds {s} by {painter}?"],
    ),
    "party_leader": (
        [
            "Who leads the political party that {s} belongs to?",
            "Who is the current leader of the party of {s}?",
            "{s} is a member of a party; who leads that party?",
        ],
        ["Who is the leader of the party that {d} represents?"],
    ),
}


def word_question(rng, q, use_desc, lower):
    plain, desc = TEMPLATES[q["rel"]]
    fields = dict(q["extra"])
    if isinstance(q["desc_q"], dict):
        fields.update(q["desc_q"])
        d = q["subj_q"]
    else:
        d = q["desc_q"]
    fields.update(s=q["subj_q"], d=d)
    t = rng.choice(desc if use_desc else plain)
    text = cap(t.format(**fields))
    if lower:
        text = text.lower()
        if rng.random() < 0.4:
            text = text.rstrip("?")
    return text


# --------------------------------------------------------------------------------------------------------------
# Constraints
# --------------------------------------------------------------------------------------------------------------


def has(text: str, s: str, ci: bool = False) -> bool:
    return re.search(r"(?<!\w)" + re.escape(s) + r"(?!\w)", text, re.I if ci else 0) is not None


def violations(key, text: str, questions: list[dict]) -> list[str]:
    out = []
    for q in questions:
        S, B, A = has(text, q["subj"]), has(text, q["bridge"]), has(text, q["answer"], ci=True)
        if key == q["hop1"]:
            if not S or not B or A:
                out.append(f"hop1 of {q['subj']}: S={S} B={B} A={A}")
        elif key == q["hop2"]:
            if not B or not A or S:
                out.append(f"hop2 of {q['subj']}: S={S} B={B} A={A}")
        else:
            if S and (A or B):
                out.append(f"other doc names {q['subj']} with answer/bridge")
            if B and A:
                out.append(f"other doc names bridge {q['bridge']} with answer {q['answer']}")
    return out


def render(specs, questions, rng):
    docs = []
    for sp in specs:
        for _attempt in range(400):
            title, paras = sp["fn"](rng)
            content = "\n\n".join(" ".join(p) for p in paras)
            v = violations(sp["key"], title + "\n" + content, questions)
            if not v:
                break
        else:
            raise RuntimeError(f"cannot render {sp['key']}: {v}")
        docs.append(
            dict(key=sp["key"], kind=sp["kind"], title=title, content=content, n_sent=sum(len(p) for p in paras))
        )
    return docs


PERSON_SUBJECT = {"employer_hq", "alma_mater_founded", "club_ground", "party_leader"}


def validate(docs, questions):
    problems = []
    by_key = {d["key"]: d for d in docs}
    keys = [d["key"] for d in docs]
    if len(set(keys)) != len(keys):
        problems.append("duplicate document keys: " + str([k for k, n in Counter(keys).items() if n > 1]))
    titles = Counter(d["title"] for d in docs)
    problems += [f"duplicate title {t}" for t, n in titles.items() if n > 1]
    for d in docs:
        if not 4 <= d["n_sent"] <= 10:
            problems.append(f"{d['key']} has {d['n_sent']} sentences")
    hop1s = Counter(q["hop1"] for q in questions)
    problems += [f"hop1 shared: {k}" for k, n in hop1s.items() if n > 1]
    for q in questions:
        for h in ("hop1", "hop2"):
            if q[h] not in by_key:
                problems.append(f"missing {h} {q[h]}")
        if has(q["question"], q["answer"], ci=True):
            problems.append(f"question contains answer: {q['question']}")
        if has(q["question"], q["bridge"], ci=True):
            problems.append(f"question contains bridge: {q['question']}")
        if not has(q["question"], q["subj"], ci=True):
            problems.append(f"question lacks its subject: {q['question']}")
        if q["rel"] in PERSON_SUBJECT and q["hop2"] in by_key:
            d = by_key[q["hop2"]]
            if has(d["title"] + "\n" + d["content"], q["subj"].split(" ", 1)[1]):
                problems.append(f"hop2 of {q['subj']} has the surname")
        for d in docs:
            problems += [f"{d['key']}: {v}" for v in violations(d["key"], d["title"] + "\n" + d["content"], [q])]
    return problems


# --------------------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------------------


def main(argv):
    rng = random.Random(SEED)
    specs, qs, _ = build_world(rng)
    docs = render(specs, qs, rng)
    order = list(range(len(docs)))
    rng.shuffle(order)
    ids = {}
    for n, i in enumerate(order, 1):
        ids[docs[i]["key"]] = f"w{n:04d}"
    docs = [docs[i] for i in order]

    # question wording: a third fully lowercase, about thirty with a descriptor of the subject
    rng.shuffle(qs)
    lower = set(rng.sample(range(len(qs)), len(qs) // 3))
    desc = set(rng.sample(range(len(qs)), 30))
    for i, q in enumerate(qs):
        q["question"] = word_question(rng, q, i in desc, i in lower)
    problems = validate(docs, qs)
    if problems:
        print("\n".join(problems[:50]))
        raise SystemExit(f"{len(problems)} problems")

    with open(HERE / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(
                json.dumps(dict(doc_id=ids[d["key"]], title=d["title"], content=d["content"]), ensure_ascii=False)
                + "\n"
            )
    with open(HERE / "questions.jsonl", "w", encoding="utf-8") as fh:
        for i, q in enumerate(qs, 1):
            fh.write(
                json.dumps(
                    dict(
                        id=f"wq{i:03d}",
                        question=q["question"],
                        answer=q["answer"],
                        supporting=[ids[q["hop1"]], ids[q["hop2"]]],
                        bridge=q["bridge"],
                        relation=q["rel"],
                    ),
                    ensure_ascii=False,
                )
                + "\n"
            )

    # summary
    mention = Counter()
    for q in qs:
        mention[sum(1 for d in docs if d["key"] != q["hop1"] and has(d["title"] + "\n" + d["content"], q["subj"]))] += 1
    bridge_docs = [sum(1 for d in docs if has(d["title"] + "\n" + d["content"], q["bridge"])) for q in qs]
    print(f"documents: {len(docs)}  questions: {len(qs)}")
    print("documents by kind:", dict(sorted(Counter(d["kind"] for d in docs).items())))
    print("questions by relation:", dict(sorted(Counter(q["rel"] for q in qs).items())))
    print("other documents naming the question's subject:", dict(sorted(mention.items())))
    print(
        f"documents naming the bridge: min {min(bridge_docs)}, median {sorted(bridge_docs)[len(qs) // 2]}, max {max(bridge_docs)}"
    )
    print("sentences per document:", dict(sorted(Counter(d["n_sent"] for d in docs).items())))
    print(f"lowercase questions: {len(lower)}  with descriptor: {len(desc)}")
    if "--examples" in argv:
        byid = {ids[d["key"]]: d for d in docs}
        for i in (0, 1, 2):
            q = qs[i]
            print(f"\nwq{i + 1:03d} [{q['rel']}] {q['question']}  ->  {q['answer']}  (bridge: {q['bridge']})")
            for h in (q["hop1"], q["hop2"]):
                d = byid[ids[h]]
                print(f"  {ids[h]} {d['title']}: {d['content']}")


if __name__ == "__main__":
    main(sys.argv[1:])
