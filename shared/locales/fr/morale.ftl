# Les messages de Morale en français.
#
# Un traducteur ne modifie que le texte après « = ». Gardez chaque identifiant de message et chaque { $variable } :
# un test échoue si une langue omet un message ou une variable. Le texte est brut (pas de HTML) : les
# modèles qui l’entourent sont les mêmes dans toutes les langues.

## Les dates, écrites à la manière locale : les noms, puis l’ordre dans lequel ils s’écrivent.
## $weekday, $day, $month, $year proviennent des noms ci-dessous.

weekday-1 = lundi
weekday-2 = mardi
weekday-3 = mercredi
weekday-4 = jeudi
weekday-5 = vendredi
weekday-6 = samedi
weekday-7 = dimanche
weekday-short-1 = lun.
weekday-short-2 = mar.
weekday-short-3 = mer.
weekday-short-4 = jeu.
weekday-short-5 = ven.
weekday-short-6 = sam.
weekday-short-7 = dim.
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre
month-short-1 = janv.
month-short-2 = févr.
month-short-3 = mars
month-short-4 = avr.
month-short-5 = mai
month-short-6 = juin
month-short-7 = juil.
month-short-8 = août
month-short-9 = sept.
month-short-10 = oct.
month-short-11 = nov.
month-short-12 = déc.
# « vendredi 4 décembre »
date-long = { $weekday } { $day } { $month }
# « vendredi 4 décembre 2026 »
date-long-year = { $weekday } { $day } { $month } { $year }
# « ven. 4 déc. », dans le graphique de tendance
date-short-weekday = { $weekday } { $day } { $month }
# « 4 déc. », sous le graphique de tendance
date-short = { $day } { $month }

## Nombres

# Entre la partie entière et les décimales d’une moyenne : « 3,45 ».
decimal-separator = ,
percent = { $n } %
list-separator = { " ; " }
sentence = { $text }.

## Les cinq réponses, de la pire à la meilleure

answer-1 = Très mal
answer-2 = Pas terrible
answer-3 = Ça va
answer-4 = Bien
answer-5 = Très bien

## L’e-mail quotidien

daily-subject = { $team } : comment vous sentez-vous au travail aujourd’hui ?
daily-preheader = Comment s’est passée votre journée de travail ? Choisissez une réponse, puis envoyez-la.
daily-greeting = Bonjour { $name },
daily-greeting-anonymous = Bonjour,
daily-question = Comment vous sentez-vous au travail aujourd’hui ?
daily-intro = Choisissez une réponse ; la page qui s’ouvre l’enregistre quand vous appuyez sur « Envoyer ma réponse ». Personne ne voit qui a répondu quoi.
daily-text-intro = Ouvrez le lien de votre réponse, puis appuyez sur « Envoyer ma réponse » sur la page (personne ne voit qui a répondu quoi) :
daily-away = Vous vous absentez quelque temps ?
daily-away-link = Suspendre mes e-mails jusqu’à mon retour
daily-footer = Vous recevez cet e-mail chaque jour ouvré parce que vous êtes membre de { $team } sur Morale. Les réponses sont anonymes : l’équipe ne voit que des moyennes quotidiennes, et seulement les jours où il y a au moins { $min } réponses.
unsubscribe = Se désabonner

## Les pages de réponse

answer-legend = Comment vous sentez-vous au travail aujourd’hui ?
answer-comment-label = Quelque chose à ajouter ? (facultatif, anonyme)
answer-send = Envoyer ma réponse
answer-nothing-yet = Rien n’est enregistré tant que vous n’avez pas appuyé sur « Envoyer ma réponse ». Votre équipe ne voit que des moyennes quotidiennes, une fois la journée close, et seulement pour les jours où il y a au moins { $min } réponses.
answer-privacy = Votre équipe ne voit que des moyennes quotidiennes, une fois la journée close, et seulement pour les jours où il y a au moins { $min } réponses.
thanks-title = Merci
thanks-heading = Merci !
thanks-comment-saved = Votre commentaire a été enregistré avec votre réponse.
thanks-change = Modifier ma réponse ou ajouter un commentaire
thanks-latest-counts = Vous pouvez renvoyer : c’est la dernière réponse qui compte.
quarantined-heading = Merci de renvoyer votre réponse
quarantined-body = Plusieurs réponses différentes à cet e-mail sont arrivées en quelques secondes, comme en envoient les filtres de sécurité des messageries : aucune n’est donc comptée. Si c’était vous, choisissez à nouveau ci-dessous d’ici une minute.

## Désabonnement

unsubscribe-heading = Ne plus recevoir l’e-mail quotidien ?
unsubscribe-body = Vous ne recevrez plus « Comment vous sentez-vous au travail aujourd’hui ? » de la part de { $team }. Vous pourrez revenir à tout moment.
unsubscribe-confirm = Oui, arrêtez de m’envoyer l’e-mail quotidien
unsubscribed-heading = Votre désabonnement est confirmé
unsubscribed-body = Vous ne recevrez plus l’e-mail quotidien de { $team }. Vous avez changé d’avis ? Réabonnez-vous ci-dessous.
resubscribe = Se réabonner
resubscribe-confirm = Oui, renvoyez-moi l’e-mail quotidien
resubscribed-heading = Bon retour parmi nous
resubscribed-body = Vous recevrez de nouveau l’e-mail quotidien de { $team } à partir du prochain jour ouvré.
unchanged-heading = Rien à modifier
unchanged-body = Votre abonnement à { $team } n’a pas été modifié. Un administrateur de l’équipe peut vous aider.
not-listed-heading = Vous ne figurez pas sur cette liste
not-listed-body = Vous n’êtes plus membre de { $team } : vous n’avez rien à faire.

## La pause d’un membre : « Je suis absent jusqu’au … »

away-title = Absence temporaire
away-heading = Suspendez votre e-mail quotidien pendant votre absence
away-body = Choisissez le jour de votre retour. D’ici là, vous ne recevez aucun e-mail de { $team }, et votre équipe ne vous compte pas dans sa participation. Les e-mails reprennent d’eux-mêmes ce jour-là.
away-date-label = Je reviens le
away-date-hint = À partir de demain, jusqu’au { $last }.
away-button = Suspendre jusque-là
away-set-heading = Rendez-vous le { $date }
away-set-body = Aucun e-mail quotidien de { $team } d’ici là ; il reprendra de lui-même ce jour-là.
away-current = Votre e-mail quotidien reprend le { $date }.
away-back-button = Je suis de retour
away-back-confirm = Oui, je suis de retour : renvoyez-moi l’e-mail quotidien
away-back-heading = Bon retour parmi nous
away-back-body = Votre e-mail quotidien de { $team } reprend dès le prochain jour ouvré.
away-not-active = Votre e-mail quotidien de { $team } est déjà arrêté : il n’y a donc rien à suspendre. Un administrateur de l’équipe peut vous dire pourquoi.
away-link-old = Ce lien est trop ancien pour suspendre votre e-mail. Le lien d’un e-mail quotidien plus récent le peut.

## Les pages qui signalent un problème

error-expired-title = Ce lien a expiré
error-expired-body = Les liens ne fonctionnent qu’un temps : jusqu’à la fin du lendemain pour une réponse, 60 jours pour un désabonnement, 14 pour une page de tendance. Un e-mail plus récent en apporte de nouveaux.
error-bad-link-title = Ce lien ne fonctionne pas
error-bad-link-body = Il a peut-être été tronqué ou modifié en chemin. Ouvrez-le à nouveau depuis l’e-mail, ou répondez à celui de demain.
error-bad-score-title = Cette réponse ne fait pas partie des cinq
error-bad-score-body = Choisissez l’une des cinq réponses de l’e-mail.
error-bad-date-title = Ce jour ne peut pas être choisi
error-bad-date-body = Choisissez le jour de votre retour : un jour après aujourd’hui, parmi les dates que la page propose.
error-not-confirmed-title = Rien n’a été modifié
error-not-confirmed-body = Cochez la case sur la page pour confirmer, puis touchez le bouton. (Les analyseurs de messagerie envoient les formulaires sans cette case.)
error-comment-too-long-title = Ce commentaire est trop long
error-comment-too-long-body = Les commentaires peuvent compter jusqu’à 1 000 caractères. Revenez en arrière pour le raccourcir.
error-too-large-title = Requête trop volumineuse
error-too-large-body = La requête était plus volumineuse que ne peut l’être une réponse.
error-not-found-title = Page introuvable
error-not-found-body = Il n’y a rien ici. Les liens de l’e-mail quotidien mènent aux bonnes pages.
error-method-title = Action non autorisée
error-method-body = Cette page ne peut pas être utilisée de cette façon.
error-unknown-team-title = Cette équipe n’existe plus
error-unknown-team-body = Rien n’a été enregistré. Vous ne recevrez plus d’e-mails de sa part.
error-day-closed-title = Les réponses de ce jour sont closes
error-day-closed-body = On peut donner ou modifier sa réponse pour un jour jusqu’à la fin du lendemain ; ensuite, ses chiffres sont figés et l’identité des personnes qui ont répondu est oubliée. L’e-mail de demain apporte une nouvelle question.
error-not-member-title = Vous ne faites plus partie de cette équipe
error-not-member-body = Rien n’a été enregistré : seules les réponses des membres de l’équipe comptent.
error-revoked-title = Ce lien a été révoqué
error-revoked-body = Les liens vers la page de tendance qui vous ont été envoyés avant cette date ne s’ouvrent plus. Le prochain récapitulatif hebdomadaire en apportera un nouveau.
error-not-admin-title = Ce lien est réservé aux administrateurs de l’équipe
error-not-admin-body = La personne à qui il a été envoyé n’administre plus l’équipe.
error-unavailable-title = Veuillez réessayer
error-unavailable-body = Votre réponse n’a pas pu être enregistrée pour le moment. Rouvrez le lien dans une minute.

## La page de tendance, pour les administrateurs d’une équipe

trend-period = { $team } · { $days } derniers jours
trend-heading = Comment { $team } se sent au travail
trend-days = { $days } jours
trend-download = Télécharger le CSV
trend-mean = réponse moyenne (1–5)
trend-participation = participation
trend-enough-days = jours avec assez de réponses
trend-of = { $n } sur { $total }
trend-chart-title = Réponse moyenne par jour, { $days } derniers jours
trend-chart-empty = Aucun jour de cette période n’a reçu assez de réponses pour être affiché.
trend-chart-summary = { $days ->
    [one] Un seul jour avec assez de réponses ; sa moyenne était de { $low }.
   *[other] { $days } jours avec assez de réponses ; moyennes quotidiennes entre { $low } et { $high }.
}
trend-bar = { $date } : { $n ->
    [one] { $n } personne a répondu
   *[other] { $n } personnes ont répondu
} { $score }
trend-point = { $date } : moyenne de { $mean } sur { $voters } réponses
trend-thin = { $date } : pas assez de réponses
trend-legend = réponses par jour · ligne : la moyenne quotidienne · marques grises : pas assez de réponses (moins de { $min })
trend-table-caption = Les chiffres de chaque journée close
trend-table-date = Jour
trend-table-voters = Réponses
trend-table-mean = Moyenne
trend-table-counts = Réponses 1 / 2 / 3 / 4 / 5
trend-table-too-few = pas assez de réponses
trend-members = Membres
trend-active = { $n ->
    [0] Aucun membre ne reçoit l’e-mail quotidien
    [one] { $n } membre reçoit l’e-mail quotidien
   *[other] { $n } membres reçoivent l’e-mail quotidien
}
members-paused = { $n } en pause
members-away = { $n ->
    [one] { $n } absent
   *[other] { $n } absents
}
members-unsubscribed = { $n ->
    [one] { $n } désabonné
   *[other] { $n } désabonnés
}
members-bounced = { $n } en échec de remise (envois suspendus)
members-complained = { $n ->
    [one] { $n } a signalé l’e-mail comme spam (envois suspendus)
   *[other] { $n } ont signalé l’e-mail comme spam (envois suspendus)
}
trend-comments = Commentaires de la semaine dernière
trend-no-comments = Aucun commentaire les jours ayant reçu assez de réponses.
trend-note = Un jour apparaît ici une fois ses réponses closes (à la fin du lendemain), et ne change plus ensuite. Les jours avec moins de { $voters } réponses n’affichent ni moyenne ni répartition, et les commentaires d’un jour ne s’affichent que s’il a reçu au moins { $commenters } réponses, afin qu’aucune réponse ne puisse être attribuée à quelqu’un. La participation ne compte que les réponses des jours affichés.

## Les e-mails des administrateurs

admin-why = Vous recevez ce message parce que vous administrez { $team }.
see-trend = Voir la tendance
trend-link = La tendance : { $url }
weekly-subject = { $team } : votre récapitulatif hebdomadaire Morale
weekly-better = { $team } : une meilleure semaine ({ $mean }, en hausse par rapport à { $last })
weekly-harder = { $team } : une semaine plus difficile ({ $mean }, en baisse par rapport à { $last })
weekly-steady = { $team } : une semaine stable ({ $mean })
weekly-first = { $team } : la moyenne de la semaine dernière était de { $mean }
weekly-unknown = { $team } : pas assez de réponses la semaine dernière pour afficher une moyenne
weekly-last-week = La semaine dernière
weekly-week-before = La semaine précédente
weekly-mean = Réponse moyenne (1–5)
weekly-participation = Participation
weekly-enough-days = Jours avec assez de réponses
weekly-no-mean = pas assez de réponses
weekly-all-active = { $n ->
    [0] L’équipe n’a pas encore de membres.
    [one] Son unique membre reçoit l’e-mail quotidien.
   *[other] Les { $n } membres reçoivent l’e-mail quotidien.
}
weekly-some-stopped = { $n ->
    [0] Aucun membre ne reçoit
    [one] { $n } membre reçoit
   *[other] { $n } membres reçoivent
} l’e-mail quotidien ; { $stopped }. La commande « moralectl suppressions list » indique les adresses bloquées.
weekly-delivery = E-mails quotidiens de la semaine dernière : { $line }.
delivery-reached = { $reached ->
    [one] { $reached } sur { $scheduled } arrivé
   *[other] { $reached } sur { $scheduled } arrivés
}
delivery-complained = { $n ->
    [one] { $n } signalé comme spam
   *[other] { $n } signalés comme spam
}
delivery-bounced = { $n ->
    [one] { $n } rejeté
   *[other] { $n } rejetés
}
delivery-failed = { $n ->
    [one] { $n } en échec
   *[other] { $n } en échec
}
delivery-suppressed = { $n ->
    [one] { $n } non envoyé (suspendu ou retiré entre-temps)
   *[other] { $n } non envoyés (suspendus ou retirés entre-temps)
}
delivery-unconfirmed = { $n ->
    [one] { $n } non confirmé
   *[other] { $n } non confirmés
}
delivery-in-flight = { $n ->
    [one] { $n } encore en route
   *[other] { $n } encore en route
}
delivery-missed = { $n ->
    [one] { $n } manqué (aucun envoi n’a eu lieu)
   *[other] { $n } manqués (aucun envoi n’a eu lieu)
}
delivery-unaccounted = { $n ->
    [one] { $n } NON EXPLIQUÉ
   *[other] { $n } NON EXPLIQUÉS
}
weekly-privacy = Les jours avec moins de { $min } réponses n’affichent aucun chiffre, afin qu’aucune réponse ne puisse être attribuée à quelqu’un.
low-subject = { $team } : plusieurs jours difficiles d’affilée
low-heading = { $team } traverse quelques jours difficiles
low-intro = La réponse moyenne de l’équipe a été de 2 ou moins lors de chacun des { $n } derniers jours ouvrés :
low-day = { $date } : moyenne de l’équipe { $mean }
low-body = Il s’agit d’une moyenne d’équipe calculée à partir d’au moins { $min } réponses anonymes par jour ; aucune réponse individuelle n’y figure. Une conversation avec l’équipe peut aider davantage que de chercher qui a répondu quoi.
low-why = Vous ne recevez ce message qu’une fois par période difficile.
problems-subject = { $team } : certains e-mails quotidiens n’ont pas pu être remis
problems-heading = Certains e-mails quotidiens de { $team } n’ont pas pu être remis
problems-intro = Morale a cessé d’écrire à ces membres de { $team } le { $date }, car leurs serveurs de messagerie ont définitivement refusé l’e-mail ou parce qu’ils l’ont signalé comme spam :
problems-advice = Si une adresse a changé, retirez le membre et ajoutez la nouvelle adresse. Si un membre a signalé l’e-mail comme spam par erreur, demandez-lui son accord avant de le réinscrire : Morale n’écrit pas aux personnes qui ont signalé un spam.
problems-more = Cet e-mail liste au plus 200 problèmes, et il peut y en avoir d’autres. La personne qui gère Morale pour votre équipe peut lister tous les membres à qui Morale n’écrit plus, et pourquoi.
problems-why = Au plus un message de ce type par jour.
problem-line = { $address } : { $what } ({ $detail })
problem-bounced = rejeté : son serveur de messagerie refuse l’e-mail
problem-complained = a signalé l’e-mail comme spam
problem-removed = n’est plus membre
problem-about = concerne l’e-mail du { $date }
