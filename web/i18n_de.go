package web

// german translates the UI's English texts; a text missing here shows in
// English. TestGermanCoversTemplates keeps it complete for the templates'
// literal texts and the vocabularies they translate (roles, states, levels).
var german = map[string]string{
	// Layout, navigation, lists.
	"Sign in": "Anmelden", "Sign out": "Abmelden", "Search": "Suchen", "Start": "Start",
	"Customers": "Kunden", "Contacts": "Kontakte", "Employees": "Mitarbeitende", "Users": "Benutzer",
	"Training": "Schulung", "Reviews": "Reviews", "Administration": "Administration",
	"kamflow — Key Account Management, introduced and run.": "kamflow — Key Account Management einführen und leben.",
	"in all": "insgesamt", "page": "Seite", "of": "von", "previous": "zurück", "next": "weiter",
	"This page is empty:": "Diese Seite ist leer:", "back to the first page": "zurück zur ersten Seite", "Show all": "Alle zeigen",
	"Back to the list": "Zurück zur Liste", "Back to the start page": "Zurück zur Startseite",
	"← Customers": "← Kunden", "← Programmes": "← Programme", "← Start": "← Start",
	"Error": "Fehler", "Something went wrong (": "Etwas ist schiefgegangen (",
	"Please correct the marked fields.": "Bitte korrigieren Sie die markierten Felder.",
	"Save":                              "Speichern", "Edit": "Bearbeiten", "Archive": "Archivieren", "Open": "Öffnen", "Confirm": "Bestätigen",
	"yes": "ja", "no": "nein", "none": "keine", "never": "nie", "no one": "niemand", "from": "ab", "From": "Herkunft",
	"English": "English", "Deutsch": "Deutsch", "browser": "Browser", "Language": "Sprache",

	// Sign-in page.
	"E-mail": "E-Mail", "Password": "Passwort", "Demo logins": "Demo-Zugänge", "Role": "Rolle", "Roles": "Rollen",
	"This is kamflow dev: every demo user's password is": "Dies ist kamflow dev: Das Passwort aller Demo-Benutzer lautet",

	// Roles and states.
	"lead": "Programmleitung", "committee": "Lenkungsausschuss", "hr": "Personal (HR)", "controller": "Controlling",
	"kam": "KAM", "admin": "Administration", "KAM": "KAM", "deputy": "Stellvertretung",
	"active": "aktiv", "paused": "pausiert", "completed": "abgeschlossen", "cancelled": "abgebrochen",
	"pending": "ausstehend", "in_progress": "in Arbeit", "submitted": "eingereicht", "done": "erledigt", "open": "offen",
	"disabled": "gesperrt", "planning": "in Planung", "invited": "eingeladen", "minuted": "protokolliert", "closed": "geschlossen",
	"collecting": "Daten sammeln", "signed_off": "abgezeichnet", "starting": "startet",
	"enrolled": "angemeldet", "waitlisted": "Warteliste", "no_show": "nicht erschienen",
	"low": "gering", "medium": "mittel", "high": "hoch",
	"plan": "Account-Plan", "workshop": "Workshop",

	// Audit-trail vocabulary.
	"created": "angelegt", "phase_started": "Phase begonnen", "approved": "freigegeben", "rejected": "zurückgewiesen",
	"phase_completed": "Phase abgeschlossen", "resumed": "fortgesetzt", "replanned": "neu geplant",
	"criteria_set": "Kriterien festgelegt", "selection_computed": "Auswahl berechnet", "candidate_decided": "Kandidat entschieden",
	"kam_assigned": "KAM zugeordnet", "training_completed": "Schulung abgeschlossen", "training_exception": "Schulungsausnahme",
	"plan_approved": "Plan freigegeben", "reminder": "Erinnerung", "overdue": "überfällig",

	// Phases.
	"Setup": "Projektaufsatz", "Strategy": "Strategie", "Criteria": "Kriterien", "KAM profile": "KAM-Profil",
	"Provisional selection": "Provisorische Auswahl", "Definitive selection": "Definitive Auswahl",
	"Responsibilities": "Verantwortlichkeiten", "Account plans": "Account-Pläne", "Rollout": "Roll-out",

	// Hierarchy levels.
	"Board / CEO": "Geschäftsleitung / CEO", "Management": "Management", "Department head": "Abteilungsleitung",
	"Specialist": "Fachspezialist", "Assistant": "Assistenz", "Hierarchy level": "Hierarchiestufe", "Level": "Stufe",

	// Home.
	"Approvals waiting for you": "Freigaben, die auf Sie warten", "Programme": "Programm", "Programmes": "Programme",
	"Gate": "Meilenstein", "gate": "Meilenstein", "Submitted": "Eingereicht", "Due": "Fällig",
	"Nothing waits for your decision. Submitted gates of your programmes appear here.": "Nichts wartet auf Ihre Entscheidung. Eingereichte Meilensteine Ihrer Programme erscheinen hier.",
	"My key accounts": "Meine Key Accounts", "Customer": "Kunde", "My role": "Meine Rolle",
	"You have no key account yet. Once the programme assigns you one, it appears here.": "Sie betreuen noch keinen Key Account. Sobald das Programm Ihnen einen zuordnet, erscheint er hier.",
	"My open actions": "Meine offenen Massnahmen", "Action": "Massnahme", "Actions": "Massnahmen", "No open actions.": "Keine offenen Massnahmen.",
	"Next workshops": "Nächste Workshops", "No workshop planned yet.": "Noch kein Workshop geplant.",
	"Upcoming sessions with free seats": "Kommende Termine mit freien Plätzen", "Course": "Kurs", "Starts": "Beginn",
	"Place": "Ort", "Free seats": "Freie Plätze", "free of": "frei von",
	"No upcoming session has free seats. Schedule sessions on the training page.": "Kein kommender Termin hat freie Plätze. Termine werden auf der Schulungsseite geplant.",
	"Assigned KAMs still missing required training":                               "Zugeordnete KAMs ohne Pflichtschulung", "Missing": "Fehlt",
	"Every assigned KAM has the required training.": "Alle zugeordneten KAMs haben die Pflichtschulungen.",
	"Started": "Gestartet", "Status": "Status",
	"No review is running. Trigger one or set a cadence on the reviews page.": "Kein Review läuft. Starten Sie eines oder legen Sie auf der Review-Seite einen Rhythmus fest.",
	"Cadences": "Rhythmen", "(paused)": "(pausiert)", "No review cadence is set.": "Kein Review-Rhythmus festgelegt.",
	"KAM programmes": "KAM-Programme", "New programme": "Neues Programm", "Lead": "Leitung", "Current phase": "Aktuelle Phase",
	"Progress": "Fortschritt", "Next due": "Nächster Termin",
	"No KAM programme yet. A programme lead starts one to carry the introduction of Key Account Management from set-up through selection, training and roll-out to the first reviews.": "Noch kein KAM-Programm. Eine Programmleitung startet eines und führt die Einführung des Key Account Managements vom Projektaufsatz über Auswahl, Schulung und Roll-out bis zu den ersten Reviews.",

	// New programme.
	"New KAM programme": "Neues KAM-Programm", "Name": "Name", "Steering committee": "Lenkungsausschuss", "Start programme": "Programm starten",
	"The introduction of Key Account Management runs as a project of about two years: you lead it, the steering committee approves its gates.": "Die Einführung des Key Account Managements ist ein Projekt von rund zwei Jahren: Sie leiten es, der Lenkungsausschuss gibt die Meilensteine frei.",
	"No user has the committee role yet; an admin grants it.":                                                                                  "Noch niemand hat die Rolle Lenkungsausschuss; ein Admin vergibt sie.",

	// Programme page.
	"Timeline": "Zeitplan", "planned": "geplant", "actual": "tatsächlich", "today": "heute", "late": "verspätet", ", late": ", verspätet",
	"Phases": "Phasen", "Phase": "Phase", "Results": "Ergebnisse", "submitted by": "eingereicht von", "· approved by": "· freigegeben von",
	"Sent back:": "Zurückgewiesen:", "Submit phase": "Phase einreichen", "Approve": "Freigeben", "What to rework": "Was zu überarbeiten ist",
	"Reject": "Zurückweisen", "Audit trail": "Protokoll", "When": "Wann", "What": "Was", "Who": "Wer", "Comment": "Kommentar",
	"Nothing recorded yet.": "Noch nichts erfasst.", "Key-account selection": "Key-Account-Auswahl", "planned until": "geplant bis",
	"· Steering committee": "· Lenkungsausschuss", "· Started": "· Gestartet", "version": "Version",

	// Selection.
	"Selection ·": "Auswahl ·", "Criteria met": "Erfüllte Kriterien", "Candidates": "Kandidaten", "candidate": "Kandidat",
	"Decision": "Entscheid", "Reason": "Begründung", "undecided": "offen", "Met": "Erfüllt", "not met for": "nicht erfüllt seit",
	"not met recently": "zuletzt nicht erfüllt", "A key account meets at least": "Ein Key Account erfüllt mindestens",
	"criteria. Focus limit:": "Kriterien. Fokusgrenze:", "accounts.": "Accounts.", "revenue with us →": "Umsatz mit uns →", "margin": "Marge",
	"· decided by": "· entschieden von",
	"No criteria yet. In the criteria phase the lead sets 3 or 4 criteria (not only revenue: strategic fit, growth potential, reference value, relationship) and the threshold.": "Noch keine Kriterien. In der Kriterienphase legt die Leitung 3 oder 4 Kriterien fest (nicht nur Umsatz: strategische Passung, Wachstumspotenzial, Referenzwert, Beziehung) und die Schwelle.",
	"No provisional list yet. In the provisional-selection phase the lead computes it from the scores.":                                                                          "Noch keine provisorische Liste. In der Phase der provisorischen Auswahl berechnet die Leitung sie aus den Bewertungen.",

	// Key account.
	"Contact matrix": "Kontaktmatrix", "Their people": "Ihre Leute", "Our counterparts": "Unsere Ansprechpartner",
	"no counterpart on this level": "kein Gegenüber auf dieser Stufe", ", quality": ", Qualität", ", last": ", zuletzt",
	"level without counterpart": "Stufe ohne Gegenüber", "other level than theirs": "andere Stufe als das Gegenüber",
	"Every relationship rests on one person of ours — a “bow tie”. Build a “diamond”: match their levels with ours.": "Jede Beziehung hängt an einer Person von uns — eine „Fliege“. Bauen Sie einen „Diamanten“: Stufe zu Stufe, Chef zu Chef.",
	"Strategy and action plan": "Strategie und Massnahmenplan",
	"No plan yet. The KAM writes the strategy with goals, objectives and actions, then submits it for approval.": "Noch kein Plan. Der KAM schreibt die Strategie mit Zielen, Teilzielen und Massnahmen und reicht sie zur Freigabe ein.",
	"Owner": "Verantwortlich", "Owner (e-mail)": "Verantwortlich (E-Mail)",
	"No actions yet: they come from the approved plan and the workshops' minutes.": "Noch keine Massnahmen: Sie kommen aus dem freigegebenen Plan und den Workshop-Protokollen.",
	"Annual workshops": "Jährliche Workshops", "Year": "Jahr", "Dates": "Termine", "to plan": "zu planen",
	"First day (1.5 days, about ten weeks ahead)": "Erster Tag (1,5 Tage, etwa zehn Wochen im Voraus)",
	"Propose dates and invite":                    "Termine vorschlagen und einladen", "Minutes": "Protokoll",
	"Agreed items become actions": "Vereinbarte Punkte werden Massnahmen", "Record minutes": "Protokoll erfassen",
	"No workshop yet. The yearly schedule starts one; it is about the customer's agenda, never a sales show.": "Noch kein Workshop. Der Jahresplan startet einen; es geht um die Agenda des Kunden, nie um eine Verkaufsshow.",
	"Satisfaction (jour fixe)": "Zufriedenheit (Jour fixe)", "No jour-fixe input yet.": "Noch keine Jour-fixe-Beiträge.",
	"Handover under way (": "Übergabe läuft (", "): someone covers the account until the new KAM takes over.": "): Jemand betreut den Account, bis der neue KAM übernimmt.",
	"(KAM)": "(KAM)", "· KAM": "· KAM", "· Deputy": "· Stellvertretung",

	// Training desk.
	"Upcoming sessions": "Kommende Termine", "Session": "Termin", "Seats": "Plätze", "Waitlist": "Warteliste", "Employee": "Mitarbeitende/r",
	"Enrol": "Anmelden", "Attendance to record": "Zu erfassende Teilnahme", "Attended": "Teilgenommen", "No-show": "Nicht erschienen",
	"required for KAMs": "Pflicht für KAMs", "days": "Tage",
	"Nothing to record: sessions that have started appear here.": "Nichts zu erfassen: Begonnene Termine erscheinen hier.",

	// Controller desk.
	"Trigger a review": "Review starten", "Running reviews": "Laufende Reviews", "Report": "Bericht", "CSV download": "CSV herunterladen",
	"No programme yet.": "Noch kein Programm.", "No review is running.": "Kein Review läuft.",

	// Reference data.
	"New customer": "Neuer Kunde", "Edit customer": "Kunde bearbeiten", "Import CSV": "CSV importieren", "Export CSV": "CSV exportieren",
	"Industry": "Branche", "Country": "Land", "Revenue": "Umsatz", "Annual revenue": "Jahresumsatz", "Margin": "Marge", "Margin (%)": "Marge (%)",
	"Potential": "Potenzial", "Notes": "Notizen", "Add contact": "Kontakt hinzufügen",
	"No customer matches the search.":                               "Kein Kunde passt zur Suche.",
	"No customers yet. Create the first one, or import a CSV file.": "Noch keine Kunden. Legen Sie den ersten an oder importieren Sie eine CSV-Datei.",
	"New contact": "Neuer Kontakt", "Edit contact": "Kontakt bearbeiten", "Job title": "Funktion", "Phone": "Telefon", "Reports to": "Berichtet an",
	"No contact matches the search.":                                               "Kein Kontakt passt zur Suche.",
	"No contacts yet. Add them at a customer, or import a CSV file.":               "Noch keine Kontakte. Fügen Sie sie beim Kunden hinzu oder importieren Sie eine CSV-Datei.",
	"To add a contact, choose “Add contact” at the customer in the customer list.": "Um einen Kontakt hinzuzufügen, wählen Sie in der Kundenliste beim Kunden „Kontakt hinzufügen“.",
	"New employee": "Neue/r Mitarbeitende/r", "Edit employee": "Mitarbeitende/n bearbeiten", "Department": "Abteilung", "KAM qualified": "Als KAM qualifiziert",
	"No employee matches the search.": "Niemand passt zur Suche.", "No employees yet. Create the first one.": "Noch keine Mitarbeitenden. Legen Sie die erste Person an.",
	"New user": "Neuer Benutzer", "Edit user": "Benutzer bearbeiten", "State": "Zustand", "No user matches the search.": "Kein Benutzer passt zur Suche.",
	"Employee (e-mail)": "Mitarbeitende/r (E-Mail)", "New password (empty keeps the current one)": "Neues Passwort (leer lässt das bisherige)",
	"Disabled (cannot sign in)": "Gesperrt (kann sich nicht anmelden)", "Manage users and their roles": "Benutzer und ihre Rollen verwalten",

	// Import.
	"Import customers from CSV": "Kunden aus CSV importieren", "Import contacts from CSV": "Kontakte aus CSV importieren",
	"valid row(s),": "gültige Zeile(n),", "with errors.": "mit Fehlern.", "Line": "Zeile", "Problems": "Probleme",
	"Import all": "Alle importieren", "Import only the valid rows:": "Nur die gültigen Zeilen importieren:",
	"Columns (a header line first):": "Spalten (zuerst eine Kopfzeile):", "Every row is checked before anything is saved.": "Jede Zeile wird geprüft, bevor etwas gespeichert wird.",
	"CSV file": "CSV-Datei", "Preview": "Vorschau", "Nothing to import: no valid row.": "Nichts zu importieren: keine gültige Zeile.",
	"Nothing was imported: the data changed meanwhile. Preview again.": "Nichts wurde importiert: Die Daten haben sich inzwischen geändert. Bitte erneut prüfen.",

	// Administration.
	"API tokens": "API-Tokens", "User": "Benutzer", "What it is for": "Wofür", "Issue token": "Token ausstellen", "Created": "Erstellt",
	"Last used": "Zuletzt benutzt", "Revoke": "Widerrufen", "revoked": "widerrufen", "No API token yet.": "Noch kein API-Token.",
	"New API token for": "Neues API-Token für", "— copy it now, it is not shown again:": "— jetzt kopieren, es wird nicht wieder angezeigt:",

	// Field messages.
	"Enter the company name (up to 200 characters).": "Geben Sie den Firmennamen ein (bis 200 Zeichen).",
	"At most 120 characters.":                        "Höchstens 120 Zeichen.", "At most 200 characters.": "Höchstens 200 Zeichen.", "At most 10000 characters.": "Höchstens 10000 Zeichen.",
	"Use the two-letter country code, e.g. CH or DE.":                                        "Verwenden Sie den zweistelligen Ländercode, z. B. CH oder DE.",
	"Choose low, medium or high.":                                                            "Wählen Sie gering, mittel oder hoch.",
	"Enter the annual revenue as a whole, non-negative number.":                              "Geben Sie den Jahresumsatz als ganze, nicht negative Zahl ein.",
	"Enter the margin in percent, between -100 and 100.":                                     "Geben Sie die Marge in Prozent ein, zwischen -100 und 100.",
	"A customer with this name exists.":                                                      "Ein Kunde mit diesem Namen existiert bereits.",
	"Enter the person's name (up to 200 characters).":                                        "Geben Sie den Namen der Person ein (bis 200 Zeichen).",
	"Choose a hierarchy level: board, management, department_head, specialist or assistant.": "Wählen Sie eine Hierarchiestufe: board, management, department_head, specialist oder assistant.",
	"Enter an e-mail address like name@example.com.":                                         "Geben Sie eine E-Mail-Adresse wie name@example.com ein.",
	"Enter a phone number of digits, spaces and + ( ) - . / (up to 50 characters).":          "Geben Sie eine Telefonnummer aus Ziffern, Leerzeichen und + ( ) - . / ein (bis 50 Zeichen).",
	"Choose a contact of the same customer, or no one.":                                      "Wählen Sie einen Kontakt desselben Kunden oder niemanden.",
	"Another employee has this e-mail address.":                                              "Eine andere Person hat diese E-Mail-Adresse.",
	"Choose roles from the list.":                                                            "Wählen Sie Rollen aus der Liste.",
	"You cannot take the admin role from yourself; ask another admin.":                       "Sie können sich die Admin-Rolle nicht selbst entziehen; fragen Sie einen anderen Admin.",
	"You cannot disable your own account.":                                                   "Sie können Ihr eigenes Konto nicht sperren.",
	"Choose English, German or the browser's language.":                                      "Wählen Sie Englisch, Deutsch oder die Sprache des Browsers.",
	"Choose a password of at least 10 characters.":                                           "Wählen Sie ein Passwort mit mindestens 10 Zeichen.",
	"A new password has 10 to 200 characters; leave it empty to keep the current one.":       "Ein neues Passwort hat 10 bis 200 Zeichen; leer lassen, um das bisherige zu behalten.",
	"No active employee has this e-mail address.":                                            "Keine aktive Person hat diese E-Mail-Adresse.",
	"A user with this e-mail address exists.":                                                "Ein Benutzer mit dieser E-Mail-Adresse existiert bereits.",

	// Page errors.
	"Enter your e-mail address and password.":                                           "Geben Sie Ihre E-Mail-Adresse und Ihr Passwort ein.",
	"E-mail address or password is wrong.":                                              "E-Mail-Adresse oder Passwort ist falsch.",
	"Too many failed sign-ins. Wait a minute and try again.":                            "Zu viele fehlgeschlagene Anmeldungen. Warten Sie eine Minute und versuchen Sie es erneut.",
	"The form has expired or did not come from kamflow. Reload the page and try again.": "Das Formular ist abgelaufen oder stammt nicht von kamflow. Laden Sie die Seite neu und versuchen Sie es erneut.",
	"Your roles do not allow this.":                                                     "Ihre Rollen erlauben das nicht.",
	"There is no such customer.":                                                        "Diesen Kunden gibt es nicht.", "There is no such contact.": "Diesen Kontakt gibt es nicht.",
	"There is no such employee.": "Diese Person gibt es nicht.", "There is no such user.": "Diesen Benutzer gibt es nicht.",
	"There is no such programme.": "Dieses Programm gibt es nicht.", "There is no such key account.": "Diesen Key Account gibt es nicht.",
	"There is no such workshop.": "Diesen Workshop gibt es nicht.", "There is no such phase.": "Diese Phase gibt es nicht.",
	"There is no such enrolment.": "Diese Anmeldung gibt es nicht.", "There is no such token.": "Dieses Token gibt es nicht.",
	"There is no such customer, or it is archived already.": "Diesen Kunden gibt es nicht, oder er ist bereits archiviert.",
	"There is no such contact, or it is archived already.":  "Diesen Kontakt gibt es nicht, oder er ist bereits archiviert.",
	"There is no such employee, or it is archived already.": "Diese Person gibt es nicht, oder sie ist bereits archiviert.",
	"There is no such token, or it is revoked already.":     "Dieses Token gibt es nicht, oder es ist bereits widerrufen.",
	"page must be a whole number from 1":                    "page muss eine ganze Zahl ab 1 sein",
	"Not Found":                                             "Nicht gefunden", "internal error": "interner Fehler",

	// Review page.
	"Review": "Review", "Controller": "Controlling", "signed off by": "abgezeichnet von",
	"Key figures per key account": "Kennzahlen je Key Account", "Period": "Periode", "Satisfaction": "Zufriedenheit",
	"Plan approved": "Plan freigegeben", "Overdue actions": "Überfällige Massnahmen", "Findings": "Erkenntnisse", "Save findings": "Erkenntnisse speichern",
	"No key account in this review: the programme has none assigned yet, or the figures are still being gathered.": "Kein Key Account in diesem Review: Das Programm hat noch keinen zugeordnet, oder die Zahlen werden noch gesammelt.",
	"Optimisation measures": "Optimierungsmassnahmen", "Measure": "Massnahme", "Mark done": "Als erledigt markieren",
	"No measure yet. Agree measures with the key account managers where the figures call for it.": "Noch keine Massnahme. Vereinbaren Sie Massnahmen mit den Key Account Managern, wo die Zahlen es nahelegen.",
	"Key account": "Key Account", "none (programme)": "keiner (Programm)", "Add measure": "Massnahme hinzufügen",
	"Overall findings and sign-off": "Gesamtbeurteilung und Abzeichnung", "Overall findings": "Gesamtbeurteilung", "Sign off": "Abzeichnen",
	"Not signed off yet.": "Noch nicht abgezeichnet.", "There is no such review.": "Dieses Review gibt es nicht.", "There is no such measure.": "Diese Massnahme gibt es nicht.",

	// Programme management.
	"Manage the programme": "Programm steuern", "Reason for the pause": "Grund der Pause", "Pause": "Pausieren", "Resume": "Fortsetzen",
	"Shift every open phase by days": "Alle offenen Phasen um Tage verschieben", "or set the due date of": "oder den Termin setzen von",
	"to": "auf", "Replan": "Neu planen", "Reason for cancelling": "Grund des Abbruchs", "Cancel the programme": "Programm abbrechen",

	// Training forms.
	"Cancel session": "Termin absagen", "No upcoming session. Schedule one below.": "Kein kommender Termin. Planen Sie unten einen.",
	"Schedule a session": "Termin planen", "Starts (UTC)": "Beginn (UTC)", "Ends (UTC)": "Ende (UTC)", "Trainer": "Trainer/in",
	"Schedule": "Planen", "Create a course first.": "Legen Sie zuerst einen Kurs an.", "Courses": "Kurse", "Provider": "Anbieter",
	"Days": "Tage", "Required for KAMs": "Pflicht für KAMs", "Title": "Titel", "Create course": "Kurs anlegen",
	"No course yet. Start with the KAM basics every key account manager needs.": "Noch kein Kurs. Beginnen Sie mit den KAM-Grundlagen, die jeder Key Account Manager braucht.",

	// Notifications.
	"Notifications": "Benachrichtigungen", "My calendar feed": "Mein Kalender-Abo",
	"Subscribe to your workshops, jour fixes, training sessions and due dates in any calendar app. The link is secret: whoever has it sees your dates.": "Abonnieren Sie Ihre Workshops, Jour fixes, Schulungen und Termine in jeder Kalender-App. Der Link ist geheim: Wer ihn hat, sieht Ihre Termine.",
	"Your new feed link — copy it now, it is not shown again:":                                                                                          "Ihr neuer Abo-Link — jetzt kopieren, er wird nicht wieder angezeigt:",
	"Make a new link (the old one stops)": "Neuen Link erstellen (der alte hört auf)", "Make my feed link": "Meinen Abo-Link erstellen",
	"Stop the feed": "Abo beenden", "Outbox": "Postausgang", "Messages to me": "Nachrichten an mich", "To": "An", "Subject": "Betreff",
	"Sent": "Gesendet", "waiting": "wartet", "attempts": "Versuche", "No message matches the search.": "Keine Nachricht passt zur Suche.",
	"No messages yet. Reminders, invitations and approvals are sent from here as the programmes run.": "Noch keine Nachrichten. Erinnerungen, Einladungen und Freigaben werden von hier versandt, während die Programme laufen.",

	// Key account page.
	"Agenda and guiding questions": "Agenda und Leitfragen", "Jour fixe": "Jour fixe", "Satisfaction (1–5)": "Zufriedenheit (1–5)",
	"Inputs": "Beiträge", "There is no such action.": "Diese Massnahme gibt es nicht.",

	// Review cadence.
	"Review cadence": "Review-Rhythmus", "quarterly": "quartalsweise", "half_yearly": "halbjährlich", "yearly": "jährlich",
	"Review cadence saved.": "Review-Rhythmus gespeichert.",

	"The database cannot be reached right now; kamflow keeps retrying. Try again in a minute — nothing you saved is lost.": "Die Datenbank ist gerade nicht erreichbar; kamflow versucht es weiter. Versuchen Sie es in einer Minute wieder — nichts Gespeichertes geht verloren.",

	"Customers meeting the most criteria come first.": "Kunden, die die meisten Kriterien erfüllen, stehen zuoberst.",

	"in all; the training page lists sessions to enrol them in.": "insgesamt; die Schulungsseite zeigt Termine, in die sie angemeldet werden können.",
}
