# Die Texte von Morale auf Deutsch.
#
# Übersetzt wird nur der Text nach dem "=". Jede Message-ID und jede { $variable } bleibt erhalten:
# Ein Test schlägt fehl, wenn einer Sprache eine Nachricht oder eine Variable fehlt. Der Text ist
# reiner Text (kein HTML): Die Vorlagen drumherum sind in jeder Sprache gleich.

## Datumsangaben, so geschrieben, wie es hier üblich ist: erst die Namen, dann die Reihenfolge.
## $weekday, $day, $month, $year kommen aus den Namen unten.

weekday-1 = Montag
weekday-2 = Dienstag
weekday-3 = Mittwoch
weekday-4 = Donnerstag
weekday-5 = Freitag
weekday-6 = Samstag
weekday-7 = Sonntag
weekday-short-1 = Mo
weekday-short-2 = Di
weekday-short-3 = Mi
weekday-short-4 = Do
weekday-short-5 = Fr
weekday-short-6 = Sa
weekday-short-7 = So
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember
month-short-1 = Jan.
month-short-2 = Feb.
month-short-3 = März
month-short-4 = Apr.
month-short-5 = Mai
month-short-6 = Juni
month-short-7 = Juli
month-short-8 = Aug.
month-short-9 = Sept.
month-short-10 = Okt.
month-short-11 = Nov.
month-short-12 = Dez.
# „Freitag, 4. Dezember“
date-long = { $weekday }, { $day }. { $month }
# „Freitag, 4. Dezember 2026“
date-long-year = { $weekday }, { $day }. { $month } { $year }
# „Fr 4. Dez.“, im Trenddiagramm
date-short-weekday = { $weekday } { $day }. { $month }
# „4. Dez.“, unter dem Trenddiagramm
date-short = { $day }. { $month }

## Zahlen

# Zwischen dem ganzzahligen Teil und den Nachkommastellen eines Durchschnitts: „3,45“.
decimal-separator = ,
percent = { $n } %
list-separator = { "; " }
sentence = { $text }.

## Die fünf Antworten, von der schlechtesten zur besten

answer-1 = Furchtbar
answer-2 = Nicht so gut
answer-3 = Okay
answer-4 = Gut
answer-5 = Super

## Die tägliche E-Mail

daily-subject = { $team }: Wie geht es dir heute bei der Arbeit?
daily-preheader = Wie war die Arbeit heute? Wähl eine Antwort und schick sie ab.
daily-greeting = Hallo { $name },
daily-greeting-anonymous = Hallo,
daily-question = Wie geht es dir heute bei der Arbeit?
daily-intro = Wähl eine Antwort; die Seite, die sich dann öffnet, speichert sie, sobald du auf „Antwort senden“ tippst. Niemand sieht, wer was geantwortet hat.
daily-text-intro = Öffne den Link zu deiner Antwort und tippe dann auf der Seite auf „Antwort senden“ (niemand sieht, wer was geantwortet hat):
daily-away = Bist du eine Weile weg?
daily-away-link = Meine E-Mails pausieren, bis ich zurück bin
daily-footer = Du bekommst diese E-Mail an jedem Arbeitstag, weil du bei Morale Mitglied von { $team } bist. Die Antworten sind anonym: Das Team sieht nur Tagesdurchschnitte, und das nur an Tagen mit mindestens { $min } Antworten.
unsubscribe = Abmelden

## Die Antwortseiten

answer-legend = Wie geht es dir heute bei der Arbeit?
answer-comment-label = Möchtest du noch etwas sagen? (optional, anonym)
answer-send = Antwort senden
answer-nothing-yet = Gespeichert wird erst, wenn du auf „Antwort senden“ tippst. Dein Team sieht nur Tagesdurchschnitte, sobald der Tag abgeschlossen ist, und nur für Tage mit mindestens { $min } Antworten.
answer-privacy = Dein Team sieht nur Tagesdurchschnitte, sobald der Tag abgeschlossen ist, und nur für Tage mit mindestens { $min } Antworten.
thanks-title = Danke
thanks-heading = Danke!
thanks-comment-saved = Dein Kommentar wurde mit deiner Antwort gespeichert.
thanks-change = Antwort ändern oder Kommentar hinzufügen
thanks-latest-counts = Schick ruhig noch einmal: Es zählt die letzte Antwort.
quarantined-heading = Bitte schick deine Antwort noch einmal
quarantined-body = Zu dieser E-Mail kamen innerhalb von Sekunden mehrere verschiedene Antworten an, wie es bei Sicherheitsscannern für E-Mails vorkommt; deshalb zählt keine davon. Falls du das warst, wähl in einer Minute unten noch einmal.

## Abmelden

unsubscribe-heading = Die tägliche E-Mail abbestellen?
unsubscribe-body = Du bekommst dann von { $team } kein „Wie geht es dir heute bei der Arbeit?“ mehr. Du kannst jederzeit zurückkommen.
unsubscribe-confirm = Ja, schick mir keine tägliche E-Mail mehr
unsubscribed-heading = Du bist abgemeldet
unsubscribed-body = Du bekommst die tägliche E-Mail von { $team } nicht mehr. Doch anders entschieden? Unten kannst du dich wieder anmelden.
resubscribe = Wieder anmelden
resubscribe-confirm = Ja, schick mir die tägliche E-Mail wieder
resubscribed-heading = Willkommen zurück
resubscribed-body = Ab dem nächsten Arbeitstag bekommst du die tägliche E-Mail von { $team } wieder.
unchanged-heading = Nichts zu ändern
unchanged-body = Dein Abo von { $team } wurde nicht geändert. Ein Admin des Teams kann dir helfen.
not-listed-heading = Du stehst nicht auf dieser Liste
not-listed-body = Du bist kein Mitglied von { $team } mehr: Es gibt nichts zu tun.

## Die eigene Pause eines Mitglieds: „Ich bin weg bis …“

away-title = Eine Weile weg
away-heading = Pausiere deine tägliche E-Mail, solange du weg bist
away-body = Wähl den Tag, an dem du zurück bist. Bis dahin bekommst du keine E-Mail von { $team }, und du zählst nicht zur Beteiligung deines Teams. An diesem Tag starten die E-Mails von selbst wieder.
away-date-label = Ich bin zurück am
away-date-hint = Ein Tag nach heute, bis spätestens { $last }.
away-button = Bis dahin pausieren
away-set-heading = Bis { $date }!
away-set-body = Bis dahin keine tägliche E-Mail von { $team }; an diesem Tag startet sie von selbst wieder.
away-current = Deine tägliche E-Mail kommt ab { $date } wieder.
away-back-button = Ich bin wieder da
away-back-confirm = Ja, ich bin zurück: schick mir die tägliche E-Mail wieder
away-back-heading = Willkommen zurück
away-back-body = Deine tägliche E-Mail von { $team } startet ab dem nächsten Arbeitstag wieder.
away-not-active = Deine tägliche E-Mail von { $team } ist bereits gestoppt, es gibt also nichts zu pausieren. Ein Admin des Teams kann dir sagen, warum.
away-link-old = Dieser Link ist zu alt, um deine E-Mail damit zu pausieren. Der Link in einer neueren täglichen E-Mail kann es.

## Seiten, die melden, dass etwas schiefgegangen ist

error-expired-title = Dieser Link ist abgelaufen
error-expired-body = Links gelten eine Weile: für eine Antwort bis zum Ende des nächsten Tages, zum Abmelden 60 Tage, für eine Trendseite 14 Tage. Eine neuere E-Mail bringt frische Links.
error-bad-link-title = Dieser Link funktioniert nicht
error-bad-link-body = Vielleicht wurde er unterwegs gekürzt oder verändert. Öffne ihn noch einmal aus der E-Mail oder antworte auf die von morgen.
error-bad-score-title = Diese Antwort ist keine der fünf
error-bad-score-body = Wähl eine der fünf Antworten in der E-Mail.
error-bad-date-title = Dieser Tag kann nicht gewählt werden
error-bad-date-body = Wähl den Tag, an dem du zurück bist: einen Tag nach heute, innerhalb der Daten, die die Seite anbietet.
error-not-confirmed-title = Nichts wurde geändert
error-not-confirmed-body = Setz auf der Seite das Häkchen zur Bestätigung und tipp dann auf den Knopf. (Mail-Scanner senden Formulare ohne dieses Häkchen.)
error-comment-too-long-title = Dieser Kommentar ist zu lang
error-comment-too-long-body = Kommentare dürfen bis zu 1.000 Zeichen lang sein. Geh zurück und kürze ihn.
error-too-large-title = Das war zu viel
error-too-large-body = Die Anfrage war größer, als eine Antwort überhaupt sein kann.
error-not-found-title = Seite nicht gefunden
error-not-found-body = Hier gibt es nichts. Die Links in der täglichen E-Mail führen zu den richtigen Seiten.
error-method-title = Nicht erlaubt
error-method-body = Diese Seite kann so nicht verwendet werden.
error-unknown-team-title = Dieses Team gibt es nicht mehr
error-unknown-team-body = Es wurde nichts gespeichert. Du bekommst von diesem Team keine E-Mails mehr.
error-day-closed-title = Die Antworten für diesen Tag sind geschlossen
error-day-closed-body = Die Antworten eines Tages können bis zum Ende des nächsten Tages abgegeben oder geändert werden; danach stehen seine Zahlen fest, und wer geantwortet hat, wird vergessen. Die E-Mail von morgen bringt eine neue Frage.
error-not-member-title = Du bist nicht mehr in diesem Team
error-not-member-body = Es wurde nichts gespeichert: Es zählen nur Antworten von Mitgliedern des Teams.
error-revoked-title = Dieser Link wurde widerrufen
error-revoked-body = Links zur Trendseite, die du vorher bekommen hast, öffnen sich nicht mehr. Die nächste Wochenübersicht bringt einen neuen.
error-not-admin-title = Dieser Link ist für die Admins des Teams
error-not-admin-body = Die Person, an die er geschickt wurde, ist kein Admin des Teams mehr.
error-unavailable-title = Bitte versuch es noch einmal
error-unavailable-body = Deine Antwort konnte gerade nicht gespeichert werden. Bitte öffne den Link in einer Minute noch einmal.

## Die Trendseite, für die Admins eines Teams

trend-period = { $team } · letzte { $days } Tage
trend-heading = Wie es { $team } mit der Arbeit geht
trend-days = { $days } Tage
trend-download = CSV herunterladen
trend-mean = durchschnittliche Antwort (1–5)
trend-participation = Beteiligung
trend-enough-days = Tage mit genug Antworten
trend-of = { $n } von { $total }
trend-chart-title = Tagesdurchschnitt der Antworten, letzte { $days } Tage
trend-chart-empty = In diesem Zeitraum hatte kein Tag genug Antworten, um etwas anzuzeigen.
trend-chart-summary = { $days ->
    [one] Ein Tag mit genug Antworten; sein Durchschnitt lag bei { $low }.
   *[other] { $days } Tage mit genug Antworten; Tagesdurchschnitte zwischen { $low } und { $high }.
}
trend-bar = { $date }: { $n } × Antwort { $score }
trend-point = { $date }: Durchschnitt { $mean } aus { $voters } Antworten
trend-thin = { $date }: nicht genug Antworten
trend-legend = Antworten pro Tag · Linie: Tagesdurchschnitt · graue Markierungen: nicht genug Antworten (weniger als { $min })
trend-table-caption = Die Zahlen jedes abgeschlossenen Tages
trend-table-date = Tag
trend-table-voters = Antworten
trend-table-mean = Durchschnitt
trend-table-counts = Antworten 1 / 2 / 3 / 4 / 5
trend-table-too-few = nicht genug Antworten
trend-members = Mitglieder
trend-active = { $n ->
    [0] Kein Mitglied bekommt die tägliche E-Mail
    [one] Ein Mitglied bekommt die tägliche E-Mail
   *[other] { $n } Mitglieder bekommen die tägliche E-Mail
}
members-paused = { $n } pausiert
members-away = { $n } abwesend
members-unsubscribed = { $n } abgemeldet
members-bounced = { $n } unzustellbar (gesperrt)
members-complained = { $n } als Spam gemeldet (gesperrt)
trend-comments = Kommentare der letzten Woche
trend-no-comments = Keine Kommentare an Tagen mit genug Antworten.
trend-note = Ein Tag erscheint hier, sobald seine Antworten geschlossen sind (am Ende des nächsten Tages), und ändert sich danach nicht mehr. Tage mit weniger als { $voters } Antworten zeigen keinen Durchschnitt und keine Verteilung, und die Kommentare eines Tages erscheinen nur, wenn er mindestens { $commenters } Antworten hatte, damit sich keine Antwort einer einzelnen Person zuordnen lässt. Die Beteiligung zählt nur die Antworten der Tage, die hier erscheinen.

## Die E-Mails an die Admins

admin-why = Du bekommst diese E-Mail, weil du Admin von { $team } bist.
see-trend = Zum Trend
trend-link = Der Trend: { $url }
weekly-subject = { $team }: deine wöchentliche Morale-Übersicht
weekly-better = { $team }: eine bessere Woche ({ $mean }, vorher { $last })
weekly-harder = { $team }: eine schwerere Woche ({ $mean }, vorher { $last })
weekly-steady = { $team }: eine stabile Woche ({ $mean })
weekly-first = { $team }: Der Durchschnitt der letzten Woche lag bei { $mean }
weekly-unknown = { $team }: letzte Woche nicht genug Antworten für einen Durchschnitt
weekly-last-week = Letzte Woche
weekly-week-before = Die Woche davor
weekly-mean = Durchschnittliche Antwort (1–5)
weekly-participation = Beteiligung
weekly-enough-days = Tage mit genug Antworten
weekly-no-mean = nicht genug Antworten
weekly-all-active = { $n ->
    [0] Das Team hat noch keine Mitglieder.
    [one] Sein einziges Mitglied bekommt die tägliche E-Mail.
   *[other] Alle { $n } Mitglieder bekommen die tägliche E-Mail.
}
weekly-some-stopped = { $n ->
    [0] Kein Mitglied bekommt
    [one] Ein Mitglied bekommt
   *[other] { $n } Mitglieder bekommen
} die tägliche E-Mail; { $stopped }. „moralectl suppressions list“ nennt die Adressen der Gesperrten.
weekly-delivery = Tägliche E-Mails der letzten Woche: { $line }.
delivery-reached = { $reached } von { $scheduled } angekommen
delivery-complained = { $n } als Spam gemeldet
delivery-bounced = { $n } unzustellbar
delivery-failed = { $n } fehlgeschlagen
delivery-suppressed = { $n } nicht gesendet (inzwischen pausiert oder entfernt)
delivery-unconfirmed = { $n } unbestätigt
delivery-in-flight = { $n } noch unterwegs
delivery-missed = { $n } verpasst (kein Versand lief)
delivery-unaccounted = { $n } UNGEKLÄRT
weekly-privacy = Tage mit weniger als { $min } Antworten zeigen keine Zahlen, damit sich keine Antwort einer einzelnen Person zuordnen lässt.
low-subject = { $team }: mehrere schwere Tage in Folge
low-heading = { $team } hatte ein paar schwere Tage
low-intro = Die durchschnittliche Antwort des Teams lag an jedem der letzten { $n } Arbeitstage bei 2 oder darunter:
low-day = { $date }: Teamdurchschnitt { $mean }
low-body = Das ist ein Teamdurchschnitt aus mindestens { $min } anonymen Antworten pro Tag; die Antwort einer einzelnen Person ist darin nicht zu erkennen. Ein Gespräch mit dem Team hilft wahrscheinlich mehr als die Suche danach, wer was geantwortet hat.
low-why = Du bekommst diese E-Mail einmal pro schwieriger Phase.
problems-subject = { $team }: Einige tägliche E-Mails konnten nicht zugestellt werden
problems-heading = Einige tägliche E-Mails von { $team } konnten nicht zugestellt werden
problems-intro = Morale schickt diesen Mitgliedern von { $team } seit dem { $date } keine E-Mails mehr, weil ihre Mailserver die E-Mail dauerhaft abgelehnt haben oder weil sie sie als Spam gemeldet haben:
problems-advice = Wenn sich eine Adresse geändert hat, entferne das Mitglied und füge die neue Adresse hinzu. Wenn jemand die E-Mail versehentlich als Spam gemeldet hat, frag die Person, bevor du sie wieder hinzufügst: Morale schickt keine E-Mails an Personen, die sich beschwert haben.
problems-more = Diese E-Mail listet höchstens 200 Probleme auf, es kann mehr geben. Wer Morale für dein Team betreut, kann alle Mitglieder auflisten, die keine E-Mails mehr bekommen, und warum.
problems-why = Höchstens eine solche E-Mail pro Tag.
problem-line = { $address }: { $what } ({ $detail })
problem-bounced = unzustellbar: der Mailserver lehnt die E-Mail ab
problem-complained = hat die E-Mail als Spam gemeldet
problem-removed = kein Mitglied mehr
problem-about = betrifft die E-Mail vom { $date }
