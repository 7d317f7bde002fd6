"""Word lists for the demo business: an Italian equipment-rental firm and its customers.

Everything here is invented for the demo (written for Ascolto, not taken from any list). The
texts are notes a member of staff would type on the customer's timeline, so they are Italian
whatever the customer's own language; placeholders are filled by `interactions.py`.
"""

from __future__ import annotations

FIRST_NAMES = [
    "Alessandro", "Andrea", "Angelo", "Antonio", "Carlo", "Claudio", "Cristian", "Daniele",
    "Davide", "Emanuele", "Enrico", "Fabio", "Federico", "Filippo", "Francesco", "Gabriele",
    "Giacomo", "Gianluca", "Giorgio", "Giovanni", "Giuseppe", "Lorenzo", "Luca", "Luigi",
    "Marco", "Mario", "Massimo", "Matteo", "Mattia", "Michele", "Nicola", "Paolo", "Pietro",
    "Riccardo", "Roberto", "Salvatore", "Simone", "Stefano", "Tommaso", "Vincenzo",
    "Alessandra", "Alessia", "Anna", "Barbara", "Beatrice", "Camilla", "Chiara", "Cristina",
    "Elena", "Elisa", "Federica", "Francesca", "Giorgia", "Giulia", "Ilaria", "Laura",
    "Lucia", "Marta", "Martina", "Monica", "Paola", "Roberta", "Sara", "Serena", "Silvia",
    "Simona", "Sofia", "Valentina", "Valeria", "Veronica",
]  # fmt: skip

SURNAMES = [
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
    "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano",
    "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi",
    "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli",
    "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti", "Parisi",
    "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso", "Valentini",
    "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina",
    "Rizzi", "Monti", "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa",
    "Grassi", "Pellegrino", "Carbone", "Giuliani", "Benedetti", "Barone", "Rossetti",
    "Caputo", "Montanari", "Guerra", "Palmieri", "Bernardi", "Martino", "Fiore", "Ferretti",
    "Bellini", "Basile", "Riva", "Donati", "Piras", "Vitali", "Battaglia", "Sartori",
    "Neri", "Costantini", "Milani", "Pagano", "Ruggiero", "Sorrentino", "D'Amico", "Orlando",
    "Brambilla", "Crippa", "Colombi", "Fumagalli", "Galimberti", "Cazzaniga", "Redaelli",
]  # fmt: skip

# Company names are built as "<first> <second> <legal form>", or from a surname.
COMPANY_FIRST = [
    "Edil", "Costruzioni", "Impresa", "Cantieri", "Tecno", "Idro", "Termo", "Eco", "Agri",
    "Nord", "Padana", "Lario", "Brianza", "Adda", "Ticino", "Alpi", "Euro", "Mega", "Geo",
    "Metal", "Elettro", "Strade", "Scavi", "Verde", "Fiera", "Palco", "Luci", "Service",
]  # fmt: skip

COMPANY_SECOND = [
    "Lombarda", "Moderna", "Generale", "Sud", "Nord", "Servizi", "Sistemi", "Impianti",
    "Progetti", "Montaggi", "Tecnica", "Group", "Lavori", "Infrastrutture", "Ambiente",
    "Eventi", "Allestimenti", "Logistica", "Manutenzioni", "Giardini", "Restauri", "Green",
]  # fmt: skip

LEGAL_FORMS = ["S.r.l.", "S.r.l.", "S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.", "S.r.l.s."]

# Business segments with how many rentals a year a customer in them typically makes, and the
# months (1-12) in which they rent most.
SEGMENTS: dict[str, dict] = {
    "Edilizia": {"weight": 38, "rentals": (4, 14), "busy": range(3, 12), "value": (6_000, 90_000)},
    "Eventi": {"weight": 14, "rentals": (2, 10), "busy": range(4, 10), "value": (3_000, 40_000)},
    "Industria": {"weight": 16, "rentals": (2, 8), "busy": range(1, 13), "value": (8_000, 120_000)},
    "Agricoltura": {"weight": 10, "rentals": (1, 5), "busy": range(3, 11), "value": (2_000, 25_000)},
    "Enti pubblici": {"weight": 8, "rentals": (1, 5), "busy": range(1, 13), "value": (5_000, 70_000)},
    "Privati": {"weight": 14, "rentals": (1, 2), "busy": range(3, 11), "value": (300, 3_000)},
}  # fmt: skip

# Extra word for a company name, by segment, so a name hints at what the firm does.
SEGMENT_COMPANY_WORDS = {
    "Edilizia": ["Costruzioni", "Edilizia", "Scavi", "Ristrutturazioni", "Cantieri"],
    "Eventi": ["Eventi", "Allestimenti", "Spettacoli", "Fiere", "Service Audio Luci"],
    "Industria": ["Meccanica", "Industrie", "Carpenteria", "Stampaggi", "Logistica"],
    "Agricoltura": ["Azienda Agricola", "Agricola", "Vivai", "Cascina", "Consorzio Agrario"],
    "Enti pubblici": [],
    "Privati": [],
}

PUBLIC_BODIES = [
    "Comune di {city}",
    "Provincia di {city}",
    "Consorzio di Bonifica {city}",
    "Azienda Servizi Municipalizzati {city}",
    "Istituto Comprensivo di {city}",
    "Protezione Civile {city}",
    "Parco Regionale di {city}",
]

CITIES = [
    "Milano", "Monza", "Bergamo", "Brescia", "Como", "Lecco", "Varese", "Lodi", "Pavia",
    "Cremona", "Mantova", "Sondrio", "Seregno", "Desio", "Lissone", "Vimercate", "Cantù",
    "Merate", "Treviglio", "Saronno", "Legnano", "Busto Arsizio", "Gallarate", "Rho",
    "Sesto San Giovanni", "Cinisello Balsamo", "Cologno Monzese", "Agrate Brianza",
    "Carate Brianza", "Erba", "Novara", "Piacenza", "Verona", "Torino", "Bologna", "Trento",
]  # fmt: skip

# The equipment the business rents out: (name, an article-bearing phrase for texts).
EQUIPMENT = [
    "escavatore da 1,5 t",
    "escavatore da 3,5 t",
    "escavatore da 8 t",
    "miniescavatore cingolato",
    "piattaforma aerea a pantografo",
    "piattaforma aerea articolata da 16 m",
    "piattaforma aerea su autocarro",
    "gruppo elettrogeno da 20 kVA",
    "gruppo elettrogeno da 100 kVA",
    "gruppo elettrogeno silenziato da 60 kVA",
    "minipala gommata",
    "minipala cingolata",
    "furgone 3,5 t con sponda",
    "furgone frigo",
    "ponteggio a tubo e giunto",
    "ponteggio mobile in alluminio",
    "sollevatore telescopico",
    "carrello elevatore diesel",
    "rullo compattatore",
    "piastra vibrante",
    "betoniera",
    "motocompressore",
    "torre faro",
    "modulo bagno da cantiere",
    "container ufficio",
    "transpallet elettrico",
    "idropulitrice ad acqua calda",
    "deumidificatore industriale",
]

# Internal customers: the firm's own departments.
DEPARTMENTS = [
    "Officina",
    "Amministrazione",
    "Magazzino",
    "Logistica",
    "Ufficio commerciale",
    "Filiale di Bergamo",
    "Filiale di Como",
    "Ufficio acquisti",
    "Sicurezza e qualità",
    "Risorse umane",
]

STREETS = [
    "via Roma", "via Garibaldi", "via Manzoni", "viale Lombardia", "via Dante", "via Kennedy",
    "via dell'Industria", "via Matteotti", "via Volta", "via Marconi", "via dei Mille",
    "via per Lecco", "via Cavour", "via Monte Grappa", "via dell'Artigianato",
]  # fmt: skip

COMPETITORS = [
    "NoloPiù S.p.A.",
    "Sollevamenti Padani S.r.l.",
    "EdilRent Lombardia",
    "Macchine & Servizi Nord",
    "Noleggio Express Italia",
    "Brianza Attrezzature S.r.l.",
    "GruNolo S.r.l.",
]

MONTHS = [
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
    "settembre", "ottobre", "novembre", "dicembre",
]  # fmt: skip

# --- Interaction texts, by touchpoint code -------------------------------------------------------
# Placeholders: {equipment}, {city}, {site}, {days}, {hours}, {date}, {invoice}, {amount},
# {month}, {person}, {cause}, {problem}.

TEXTS: dict[str, list[str]] = {
    "richiesta": [
        "Richiesta noleggio {equipment} per il cantiere di {site}, dal {date} per {days} giorni.",
        "Chiede disponibilità di {equipment} per {days} giorni a partire dal {date}.",
        "Ordine: {equipment} da consegnare in {site} il {date}.",
        "{person} chiede {equipment} con operatore per un lavoro urgente in {site}.",
        "Nuovo ordine: {equipment}, consegna in {site}, durata {days} giorni.",
        "Prenotazione di {equipment} per il {date}, ritiro a fine lavori.",
    ],
    "preventivo": [
        "Inviato preventivo per {equipment} ({days} giorni) con trasporto incluso: {amount}.",
        "Preventivo per noleggio a lungo termine di {equipment}, in attesa di risposta.",
        "Rivisto il preventivo su richiesta di {person}: sconto del 5% sul trasporto.",
        "Preventivo per fornitura completa del cantiere di {site}: {amount}.",
    ],
    "consegna": [
        "Consegnato {equipment} in {site}; macchina provata con il capocantiere.",
        "Consegna di {equipment} in {site}, firmato il documento di trasporto.",
        "{equipment} consegnato e spiegato l'uso a {person}.",
        "Consegna effettuata in {site}, pieno di carburante e libretto a bordo.",
    ],
    "intervento": [
        "Intervento su {equipment} in {site}: {problem}. Risolto sul posto.",
        "Tecnico uscito in {site} per {problem}; sostituito il pezzo.",
        "Chiamata per {problem} su {equipment}; intervento del tecnico e macchina ripartita.",
        "Manutenzione straordinaria di {equipment} in cantiere: {problem}.",
    ],
    "ritiro": [
        "Ritirato {equipment} da {site}, nessun danno.",
        "Ritiro di {equipment} a fine noleggio; macchina da pulire.",
        "Fine noleggio: {equipment} rientrato in magazzino, contaore verificato.",
        "Ritirato {equipment} in {site}; segnalati piccoli graffi, nessun addebito.",
    ],
    "fattura": [
        "Emessa fattura n. {invoice} per i noleggi di {month}: {amount}.",
        "Fattura n. {invoice} ({month}) inviata via SDI, importo {amount}.",
        "Fattura trimestrale n. {invoice}: {amount}.",
    ],
    "pagamento": [
        "Ricevuto bonifico per la fattura n. {invoice}: {amount}.",
        "Pagamento della fattura n. {invoice} incassato (RiBa).",
        "Saldo della fattura n. {invoice} registrato in contabilità.",
    ],
    "pagamento-mancato": [
        "Fattura n. {invoice} scaduta e non pagata; inviato sollecito.",
        "RiBa della fattura n. {invoice} insoluta; chiamato l'amministrazione del cliente.",
        "Secondo sollecito per la fattura n. {invoice} ({amount}), nessuna risposta.",
    ],
    "telefonata": [
        "Telefonata con {person} per programmare i noleggi di {month}.",
        "{person} ha chiamato per chiedere i tempi di consegna nella zona di {city}.",
        "Sentito {person}: il cantiere di {site} finirà prima del previsto.",
        "Chiamata di cortesia dopo la consegna, tutto regolare.",
        "{person} chiede informazioni sul noleggio a lungo termine di {equipment}.",
        "Telefonata per aggiornare i dati di fatturazione.",
    ],
    "visita": [
        "Visita in cantiere in {site} con {person}: parlato del fabbisogno dei prossimi mesi.",
        "Visita presso la sede del cliente a {city}; presentato il listino aggiornato.",
        "Incontro con {person} per il rinnovo del contratto.",
        "Sopralluogo in {site} per valutare l'accesso del mezzo.",
    ],
    "reclamo": [
        "Reclamo: {equipment} consegnato sporco e con il serbatoio quasi vuoto.",
        "{person} lamenta che la consegna è arrivata in ritardo e il cantiere è rimasto fermo.",
        "Reclamo per addebito di ore extra non concordate.",
        "Il cliente è molto scontento: {equipment} si è fermato due volte in una settimana.",
        "Reclamo scritto: nessuno ha richiamato dopo la segnalazione del guasto.",
        "Lamenta che il tecnico è arrivato senza il pezzo di ricambio.",
    ],
    "errore": [
        "Errore: consegnato {equipment} invece di quello ordinato.",
        "Fattura n. {invoice} emessa con l'importo sbagliato; nota di credito da fare.",
        "Consegna fatta all'indirizzo sbagliato ({city} invece di {site}).",
        "Errore nel preventivo: trasporto non conteggiato.",
        "Documenti della macchina mancanti alla consegna.",
    ],
    "disdetta": [
        "{person} comunica che non rinnoverà il contratto.",
        "Ricevuta disdetta scritta del contratto di noleggio.",
        "Telefonata di {person}: da questo mese si servono da un altro fornitore.",
    ],
    "ritardo": [
        "Consegna di {equipment} in ritardo di {hours} ore: {cause}.",
        "Avvisato {person}: {equipment} arriverà con {hours} ore di ritardo ({cause}).",
        "Il cliente chiama perché {equipment} non è ancora arrivato; ritardo di {hours} ore: {cause}.",
    ],
    "ritardo-intervento": [
        "Intervento tecnico arrivato dopo {hours} ore: {cause}.",
        "{person} sollecita il tecnico, atteso da {hours} ore ({cause}).",
    ],
    "social": [
        "Recensione Google a 5 stelle: \u201cpuntuali e gentili\u201d.",
        "Recensione Google a 2 stelle: \u201cconsegna in ritardo, nessuno avvisa\u201d.",
        "Menzione su LinkedIn del cantiere di {site} con le nostre macchine.",
    ],
}

# For internal customers (departments asking the business itself).
INTERNAL_TEXTS: dict[str, list[str]] = {
    "richiesta": [
        "Richiesta interna: {equipment} per la revisione programmata.",
        "Il reparto chiede {equipment} per lo spostamento di materiale.",
        "Richiesta di supporto per la gestione delle consegne di {month}.",
    ],
    "intervento": [
        "Intervento dell'officina per il reparto: {problem}.",
        "Assistenza al reparto su {equipment}: {problem}.",
    ],
    "consegna": [
        "Consegnato al reparto {equipment} dal magazzino centrale.",
    ],
    "telefonata": [
        "Chiamata con {person} per coordinare le priorità della settimana.",
        "{person} segnala che i tempi di risposta interni sono migliorati.",
    ],
    "errore": [
        "Errore nel passaggio di consegne: pratica del cliente di {city} non inoltrata.",
        "Scheda macchina di {equipment} compilata in modo incompleto.",
    ],
    "ritardo": [
        "Richiesta interna evasa con {hours} ore di ritardo: {cause}.",
    ],
    "reclamo": [
        "{person} lamenta che le richieste del reparto restano senza risposta.",
    ],
}

PROBLEMS = [
    "perdita d'olio dal circuito idraulico",
    "batteria scarica",
    "motore che non parte",
    "cingolo allentato",
    "spia di allarme accesa",
    "comando del cestello bloccato",
    "gomma forata",
    "filtro gasolio intasato",
    "quadro elettrico in protezione",
]

DELAY_CAUSES = [
    "traffico sulla tangenziale",
    "camion guasto",
    "mezzo non rientrato da un altro cliente",
    "errore nella pianificazione dei giri",
    "autista in malattia",
    "maltempo",
    "macchina non pronta in officina",
]

POSITIVE_SIGNALS = [
    "Molto soddisfatto della consegna puntuale.",
    "Ci ha detto che ci raccomanderà ad altre imprese.",
    "Ringrazia il tecnico per la rapidità dell'intervento.",
    "Contento del nuovo listino, vuole ampliare il contratto.",
    "Cliente cordiale, apprezza che lo chiamiamo prima delle consegne.",
    "Ha fatto i complimenti all'autista per la disponibilità.",
]

NEUTRAL_SIGNALS = [
    "Ha chiesto di essere contattato solo via email.",
    "Cambiato il referente in amministrazione.",
    "Sta valutando l'acquisto di macchine proprie.",
]

NEGATIVE_SIGNALS = [
    "Sembrava infastidito al telefono.",
    "Ha detto che un concorrente gli ha fatto un prezzo migliore.",
    "Ha chiesto il listino di un concorrente 'per confronto'.",
    "Tono molto freddo durante la visita, risposte brevi.",
    "Si lamenta che nessuno lo richiama.",
    "Ha accennato che a fine contratto potrebbe cambiare fornitore.",
    "Molto irritato per l'ennesimo ritardo.",
    "Dice che 'ultimamente non siamo più quelli di una volta'.",
]

LOST_DETAILS = [
    "Dopo i ritardi degli ultimi mesi ha deciso di non rinnovare.",
    "Ha trovato un'offerta più conveniente e non ha voluto trattare.",
    "Troppi guasti sulle macchine consegnate, ha perso fiducia.",
    "Ha chiuso l'attività.",
    "Non ha gradito come è stato gestito il reclamo.",
    "Il nuovo referente ha scelto un altro fornitore.",
]
