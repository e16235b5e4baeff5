# Los mensajes de Morale en español.
#
# Quien traduce solo edita el texto que va después de "=". Conserva cada id de mensaje y cada
# { $variable }: una prueba falla si a un idioma le falta un mensaje o una variable. El texto es
# plano (sin HTML): las plantillas que lo rodean son las mismas en todos los idiomas.

## Fechas, escritas a la manera local: los nombres y luego el orden en que van.
## $weekday, $day, $month, $year salen de los nombres de abajo.

weekday-1 = lunes
weekday-2 = martes
weekday-3 = miércoles
weekday-4 = jueves
weekday-5 = viernes
weekday-6 = sábado
weekday-7 = domingo
weekday-short-1 = lun
weekday-short-2 = mar
weekday-short-3 = mié
weekday-short-4 = jue
weekday-short-5 = vie
weekday-short-6 = sáb
weekday-short-7 = dom
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre
month-short-1 = ene
month-short-2 = feb
month-short-3 = mar
month-short-4 = abr
month-short-5 = may
month-short-6 = jun
month-short-7 = jul
month-short-8 = ago
month-short-9 = sept
month-short-10 = oct
month-short-11 = nov
month-short-12 = dic
# "viernes, 4 de diciembre"
date-long = { $weekday }, { $day } de { $month }
# "viernes, 4 de diciembre de 2026"
date-long-year = { $weekday }, { $day } de { $month } de { $year }
# "vie 4 dic", en el gráfico de tendencia
date-short-weekday = { $weekday } { $day } { $month }
# "4 dic", debajo del gráfico de tendencia
date-short = { $day } { $month }

## Números

# Entre la parte entera y los decimales de una media: "3,45".
decimal-separator = ,
percent = { $n } %
list-separator = { "; " }
sentence = { $text }.

## Las cinco respuestas, de peor a mejor

answer-1 = Fatal
answer-2 = No muy bien
answer-3 = Regular
answer-4 = Bien
answer-5 = Genial

## El correo diario

daily-subject = { $team }: ¿cómo te sientes hoy en el trabajo?
daily-preheader = ¿Qué tal hoy en el trabajo? Elige una opción y envíala.
daily-greeting = Hola, { $name }:
daily-greeting-anonymous = Hola:
daily-question = ¿Cómo te sientes hoy en el trabajo?
daily-intro = Elige una; la página que se abre la registra cuando pulsas «Enviar mi respuesta». Nadie ve quién respondió qué.
daily-text-intro = Abre el enlace de tu respuesta y luego pulsa «Enviar mi respuesta» en la página (nadie ve quién respondió qué):
daily-away = ¿Vas a estar fuera un tiempo?
daily-away-link = Pausar mis correos hasta que vuelva
daily-footer = Recibes este correo cada día laborable porque eres miembro de { $team } en Morale. Las respuestas son anónimas: el equipo solo ve medias diarias, y solo de los días con al menos { $min } respuestas.
unsubscribe = Darme de baja

## Las páginas de respuesta

answer-legend = ¿Cómo te sientes hoy en el trabajo?
answer-comment-label = ¿Algo que añadir? (opcional, anónimo)
answer-send = Enviar mi respuesta
answer-nothing-yet = No se registra nada hasta que pulses «Enviar mi respuesta». Tu equipo solo ve medias diarias cuando el día se ha cerrado, y solo de los días con al menos { $min } respuestas.
answer-privacy = Tu equipo solo ve medias diarias cuando el día se ha cerrado, y solo de los días con al menos { $min } respuestas.
thanks-title = Gracias
thanks-heading = ¡Gracias!
thanks-comment-saved = Tu comentario se guardó con tu respuesta.
thanks-change = Cambiar mi respuesta o añadir un comentario
thanks-latest-counts = Envíala de nuevo: cuenta la última respuesta.
quarantined-heading = Vuelve a enviar tu respuesta, por favor
quarantined-body = Llegaron varias respuestas distintas para este correo en pocos segundos, como las que envían los filtros de seguridad del correo, así que no se cuenta ninguna. Si fuiste tú, vuelve a elegir abajo dentro de un minuto.

## Darse de baja

unsubscribe-heading = ¿Dejar de recibir el correo diario?
unsubscribe-body = Ya no recibirás «¿Cómo te sientes hoy en el trabajo?» de { $team }. Puedes volver cuando quieras.
unsubscribe-confirm = Sí, deja de enviarme el correo diario
unsubscribed-heading = Te has dado de baja
unsubscribed-body = Ya no recibirás el correo diario de { $team }. ¿Has cambiado de opinión? Vuelve a suscribirte abajo.
resubscribe = Volver a suscribirme
resubscribe-confirm = Sí, envíame de nuevo el correo diario
resubscribed-heading = ¡Hola de nuevo!
resubscribed-body = Volverás a recibir el correo diario de { $team } a partir del próximo día laborable.
unchanged-heading = Nada que cambiar
unchanged-body = Tu suscripción a { $team } no ha cambiado. Quien administre el equipo puede ayudarte.
not-listed-heading = No estás en esta lista
not-listed-body = Ya no eres miembro de { $team }: no hay nada que hacer.

## La pausa de cada miembro: «Estoy fuera hasta el …»

away-title = Fuera por un tiempo
away-heading = Pausa tu correo diario mientras estás fuera
away-body = Elige el día en que vuelves. Hasta entonces no recibirás correos de { $team } y no contarás en la participación de tu equipo. Los correos se reanudan solos ese día.
away-date-label = Vuelvo el
away-date-hint = Un día posterior a hoy, hasta el { $last }.
away-button = Pausar hasta entonces
away-set-heading = Nos vemos el { $date }
away-set-body = No recibirás el correo diario de { $team } hasta entonces; se reanuda solo ese día.
away-current = Tu correo diario vuelve el { $date }.
away-back-button = Ya he vuelto
away-back-confirm = Sí, ya he vuelto: envíame de nuevo el correo diario
away-back-heading = ¡Hola de nuevo!
away-back-body = Tu correo diario de { $team } se reanuda el próximo día laborable.
away-not-active = Tu correo diario de { $team } ya está detenido, así que no hay nada que pausar. Quien administra el equipo puede decirte por qué.
away-link-old = Este enlace es demasiado antiguo para pausar tu correo. El enlace de un correo diario más reciente sí puede.

## Páginas que avisan de que algo salió mal

error-expired-title = Este enlace ha caducado
error-expired-body = Los enlaces funcionan durante un tiempo: el de respuesta, hasta el final del día siguiente; el de baja, 60 días; el de la página de tendencia, 14. Un correo más reciente trae enlaces nuevos.
error-bad-link-title = Este enlace no funciona
error-bad-link-body = Puede que se haya cortado o modificado por el camino. Ábrelo de nuevo desde el correo o responde al de mañana.
error-bad-score-title = Esa respuesta no es una de las cinco
error-bad-score-body = Elige una de las cinco respuestas del correo.
error-bad-date-title = No se puede elegir ese día
error-bad-date-body = Elige el día en que vuelves: un día posterior a hoy, dentro de las fechas que ofrece la página.
error-not-confirmed-title = No se ha cambiado nada
error-not-confirmed-body = Marca la casilla de la página para confirmar y después toca el botón. (Los analizadores de correo envían los formularios sin esa casilla).
error-comment-too-long-title = Ese comentario es demasiado largo
error-comment-too-long-body = Los comentarios pueden tener hasta 1000 caracteres. Vuelve atrás y acórtalo.
error-too-large-title = Eso era demasiado
error-too-large-body = La solicitud era más grande de lo que puede ser cualquier respuesta.
error-not-found-title = Página no encontrada
error-not-found-body = Aquí no hay nada. Los enlaces del correo diario llevan a las páginas correctas.
error-method-title = No permitido
error-method-body = Esta página no se puede usar de esa forma.
error-unknown-team-title = Este equipo ya no existe
error-unknown-team-body = No se registró nada. No recibirás más correos de este equipo.
error-day-closed-title = Las respuestas de este día ya se cerraron
error-day-closed-body = Las respuestas de un día se pueden dar o cambiar hasta el final del día siguiente; después sus cifras quedan fijas y se olvida quién respondió. El correo de mañana trae una nueva pregunta.
error-not-member-title = Ya no estás en este equipo
error-not-member-body = No se registró nada: solo cuentan las respuestas de los miembros del equipo.
error-revoked-title = Este enlace se revocó
error-revoked-body = Los enlaces a la página de tendencia que se te enviaron antes de eso ya no se abren. El próximo resumen semanal trae uno nuevo.
error-not-admin-title = Este enlace es para quienes administran el equipo
error-not-admin-body = La persona a quien se envió ya no administra el equipo.
error-unavailable-title = Inténtalo de nuevo
error-unavailable-body = No se ha podido guardar tu respuesta en este momento. Vuelve a abrir el enlace dentro de un minuto.

## La página de tendencia, para quienes administran un equipo

trend-period = { $team } · últimos { $days } días
trend-heading = Cómo se siente { $team } en el trabajo
trend-days = { $days } días
trend-download = Descargar CSV
trend-mean = respuesta media (1–5)
trend-participation = participación
trend-enough-days = días con suficientes respuestas
trend-of = { $n } de { $total }
trend-chart-title = Respuesta media diaria, últimos { $days } días
trend-chart-empty = Ningún día de este periodo tuvo suficientes respuestas para mostrarse.
trend-chart-summary = { $days ->
    [one] Un día con suficientes respuestas; su media fue { $low }.
   *[other] { $days } días con suficientes respuestas; medias diarias entre { $low } y { $high }.
}
trend-bar = { $date }: { $n ->
    [one] { $n } respondió { $score }
   *[other] { $n } respondieron { $score }
}
trend-point = { $date }: media de { $mean } con { $voters } respuestas
trend-thin = { $date }: respuestas insuficientes
trend-legend = respuestas por día · línea: la media diaria · marcas grises: respuestas insuficientes (menos de { $min })
trend-table-caption = Cifras de cada día cerrado
trend-table-date = Día
trend-table-voters = Respuestas
trend-table-mean = Media
trend-table-counts = Respuestas 1 / 2 / 3 / 4 / 5
trend-table-too-few = respuestas insuficientes
trend-members = Miembros
trend-active = { $n ->
    [0] Ningún miembro recibe el correo diario
    [one] Un miembro recibe el correo diario
   *[other] { $n } miembros reciben el correo diario
}
members-paused = { $n } en pausa
members-away = { $n ->
    [one] { $n } ausente
   *[other] { $n } ausentes
}
members-unsubscribed = { $n ->
    [one] { $n } se dio de baja
   *[other] { $n } se dieron de baja
}
members-bounced = { $n } con correos rebotados (envío suspendido)
members-complained = { $n ->
    [one] { $n } lo marcó como spam (envío suspendido)
   *[other] { $n } lo marcaron como spam (envío suspendido)
}
trend-comments = Comentarios de la última semana
trend-no-comments = No hay comentarios en días con suficientes respuestas.
trend-note = Un día aparece aquí cuando sus respuestas se han cerrado (al final del día siguiente) y ya no cambia después. Los días con menos de { $voters } respuestas no muestran media ni distribución, y los comentarios de un día solo se muestran si tuvo al menos { $commenters } respuestas, para que no se pueda identificar la respuesta de nadie. La participación solo cuenta las respuestas de los días que se muestran.

## Los correos para quienes administran

admin-why = Recibes esto porque administras { $team }.
see-trend = Ver la tendencia
trend-link = La tendencia: { $url }
weekly-subject = { $team }: tu resumen semanal de Morale
weekly-better = { $team }: una semana mejor ({ $mean }, sube desde { $last })
weekly-harder = { $team }: una semana más difícil ({ $mean }, baja desde { $last })
weekly-steady = { $team }: una semana estable ({ $mean })
weekly-first = { $team }: la media de la semana pasada fue { $mean }
weekly-unknown = { $team }: la semana pasada no hubo suficientes respuestas para mostrar una media
weekly-last-week = La semana pasada
weekly-week-before = La semana anterior
weekly-mean = Respuesta media (1–5)
weekly-participation = Participación
weekly-enough-days = Días con suficientes respuestas
weekly-no-mean = respuestas insuficientes
weekly-all-active = { $n ->
    [0] El equipo aún no tiene miembros.
    [one] Su único miembro recibe el correo diario.
   *[other] Los { $n } miembros reciben el correo diario.
}
weekly-some-stopped = { $n ->
    [0] Ningún miembro recibe
    [one] { $n } miembro recibe
   *[other] { $n } miembros reciben
} el correo diario; { $stopped }. «moralectl suppressions list» muestra las direcciones bloqueadas.
weekly-delivery = Correos diarios de la semana pasada: { $line }.
delivery-reached = { $reached } de { $scheduled } entregados
delivery-complained = { $n ->
    [one] { $n } marcado como spam
   *[other] { $n } marcados como spam
}
delivery-bounced = { $n ->
    [one] { $n } rebotado
   *[other] { $n } rebotados
}
delivery-failed = { $n ->
    [one] { $n } fallido
   *[other] { $n } fallidos
}
delivery-suppressed = { $n ->
    [one] { $n } no enviado (pausado o eliminado entretanto)
   *[other] { $n } no enviados (pausados o eliminados entretanto)
}
delivery-unconfirmed = { $n ->
    [one] { $n } sin confirmar
   *[other] { $n } sin confirmar
}
delivery-in-flight = { $n ->
    [one] { $n } aún en camino
   *[other] { $n } aún en camino
}
delivery-missed = { $n ->
    [one] { $n } perdido (no se ejecutó ningún envío)
   *[other] { $n } perdidos (no se ejecutó ningún envío)
}
delivery-unaccounted = { $n ->
    [one] { $n } SIN EXPLICAR
   *[other] { $n } SIN EXPLICAR
}
weekly-privacy = Los días con menos de { $min } respuestas no muestran cifras, para que no se pueda identificar la respuesta de nadie.
low-subject = { $team }: varios días difíciles seguidos
low-heading = { $team } ha tenido unos días difíciles
low-intro = La respuesta media del equipo ha sido 2 o menos en cada uno de los últimos { $n } días laborables:
low-day = { $date }: media del equipo { $mean }
low-body = Es una media del equipo calculada con al menos { $min } respuestas anónimas al día; no muestra la respuesta de nadie en concreto. Hablar con el equipo puede ayudar más que buscar quién respondió qué.
low-why = Recibes esto una sola vez por cada racha baja.
problems-subject = { $team }: algunos correos diarios no se pudieron entregar
problems-heading = Algunos correos diarios de { $team } no se pudieron entregar
problems-intro = Morale dejó de enviar correos a estos miembros de { $team } el { $date }, porque sus servidores de correo rechazaron el correo de forma definitiva o porque lo marcaron como spam:
problems-advice = Si una dirección ha cambiado, elimina al miembro y añade la nueva dirección. Si un miembro marcó el correo como spam por error, pregúntale antes de volver a añadirlo: Morale no envía correos a quienes lo marcaron como spam.
problems-more = Este correo enumera 200 problemas como máximo, y puede haber más. Quien gestiona Morale para tu equipo puede listar a todos los miembros que ya no reciben correos, y por qué.
problems-why = Como mucho, uno de estos al día.
problem-line = { $address }: { $what } ({ $detail })
problem-bounced = rebotado: su servidor de correo rechaza el mensaje
problem-complained = marcó el correo como spam
problem-removed = ya no es miembro
problem-about = sobre el correo del { $date }
