# Mensagens do Morale em português do Brasil.
#
# Quem traduz edita só o texto depois do "=". Mantenha cada id de mensagem e cada { $variable }:
# um teste falha se uma localidade não tiver uma mensagem ou uma variável. O texto é simples
# (sem HTML): os modelos em volta dele são os mesmos em todos os idiomas.

## Datas, escritas do jeito local: os nomes, depois a ordem em que aparecem.
## $weekday, $day, $month, $year vêm dos nomes abaixo.

weekday-1 = segunda-feira
weekday-2 = terça-feira
weekday-3 = quarta-feira
weekday-4 = quinta-feira
weekday-5 = sexta-feira
weekday-6 = sábado
weekday-7 = domingo
weekday-short-1 = seg.
weekday-short-2 = ter.
weekday-short-3 = qua.
weekday-short-4 = qui.
weekday-short-5 = sex.
weekday-short-6 = sáb.
weekday-short-7 = dom.
month-1 = janeiro
month-2 = fevereiro
month-3 = março
month-4 = abril
month-5 = maio
month-6 = junho
month-7 = julho
month-8 = agosto
month-9 = setembro
month-10 = outubro
month-11 = novembro
month-12 = dezembro
month-short-1 = jan.
month-short-2 = fev.
month-short-3 = mar.
month-short-4 = abr.
month-short-5 = mai.
month-short-6 = jun.
month-short-7 = jul.
month-short-8 = ago.
month-short-9 = set.
month-short-10 = out.
month-short-11 = nov.
month-short-12 = dez.
# "sexta-feira, 4 de dezembro"
date-long = { $weekday }, { $day } de { $month }
# "sexta-feira, 4 de dezembro de 2026"
date-long-year = { $weekday }, { $day } de { $month } de { $year }
# "sex. 4 dez.", no gráfico de tendência
date-short-weekday = { $weekday } { $day } { $month }
# "4 dez.", abaixo do gráfico de tendência
date-short = { $day } { $month }

## Números

# Entre a parte inteira e as casas decimais de uma média: "3,45".
decimal-separator = ,
percent = { $n }%
list-separator = { "; " }
sentence = { $text }.

## As cinco respostas, da pior para a melhor

answer-1 = Péssimo
answer-2 = Não muito bem
answer-3 = Razoável
answer-4 = Bem
answer-5 = Ótimo

## O e-mail diário

daily-subject = { $team }: como você se sente em relação ao trabalho hoje?
daily-preheader = Como foi o trabalho hoje? Escolha uma opção e envie.
daily-greeting = Olá, { $name }!
daily-greeting-anonymous = Olá!
daily-question = Como você se sente em relação ao trabalho hoje?
daily-intro = Escolha uma opção; a página que abrir registra sua resposta quando você tocar em “Enviar minha resposta”. Ninguém vê quem respondeu o quê.
daily-text-intro = Abra o link da sua resposta e toque em “Enviar minha resposta” na página (ninguém vê quem respondeu o quê):
daily-away = Vai ficar fora por um tempo?
daily-away-link = Pausar meus e-mails até eu voltar
daily-footer = Você recebe este e-mail todo dia útil porque é membro de { $team } no Morale. As respostas são anônimas: a equipe vê apenas médias diárias, e só nos dias com pelo menos { $min } respostas.
unsubscribe = Cancelar inscrição

## As páginas de resposta

answer-legend = Como você se sente em relação ao trabalho hoje?
answer-comment-label = Algo a acrescentar? (opcional, anônimo)
answer-send = Enviar minha resposta
answer-nothing-yet = Nada é registrado até você tocar em “Enviar minha resposta”. Sua equipe vê apenas médias diárias depois que o dia é encerrado, e só nos dias com pelo menos { $min } respostas.
answer-privacy = Sua equipe vê apenas médias diárias depois que o dia é encerrado, e só nos dias com pelo menos { $min } respostas.
thanks-title = Obrigado
thanks-heading = Obrigado!
thanks-comment-saved = Seu comentário foi salvo com sua resposta.
thanks-change = Mudar minha resposta ou adicionar um comentário
thanks-latest-counts = Envie de novo: vale a resposta mais recente.
quarantined-heading = Envie sua resposta novamente
quarantined-body = Várias respostas diferentes para este e-mail chegaram em poucos segundos, como fazem os verificadores de segurança de e-mail, então nenhuma delas foi contada. Se foi você, escolha mais uma vez abaixo daqui a um minuto.

## Cancelamento da inscrição

unsubscribe-heading = Parar o e-mail diário?
unsubscribe-body = Você não vai mais receber “Como você se sente em relação ao trabalho hoje?” de { $team }. Você pode voltar quando quiser.
unsubscribe-confirm = Sim, não quero mais receber o e-mail diário
unsubscribed-heading = Sua inscrição foi cancelada
unsubscribed-body = Você não vai mais receber o e-mail diário de { $team }. Mudou de ideia? Inscreva-se de novo abaixo.
resubscribe = Inscrever-me de novo
resubscribe-confirm = Sim, quero receber o e-mail diário de novo
resubscribed-heading = Que bom ter você de volta
resubscribed-body = Você volta a receber o e-mail diário de { $team } a partir do próximo dia útil.
unchanged-heading = Nada a alterar
unchanged-body = Sua inscrição em { $team } não foi alterada. Um administrador da equipe pode ajudar.
not-listed-heading = Você não está nesta lista
not-listed-body = Você não é mais membro de { $team }: não há nada a fazer.

## A pausa de cada membro: "Estou fora até …"

away-title = Fora por um tempo
away-heading = Pause seu e-mail diário enquanto estiver fora
away-body = Escolha o dia em que você volta. Até lá, você não recebe e-mails de { $team } e não entra no cálculo de participação da equipe. Os e-mails voltam sozinhos nesse dia.
away-date-label = Estou de volta em
away-date-hint = Um dia depois de hoje, até { $last }.
away-button = Pausar até lá
away-set-heading = Até { $date }!
away-set-body = Nenhum e-mail diário de { $team } até lá; ele volta sozinho nesse dia.
away-current = Seu e-mail diário volta na { $date }.
away-back-button = Já voltei
away-back-confirm = Sim, voltei: quero receber o e-mail diário de novo
away-back-heading = Que bom ter você de volta
away-back-body = Seu e-mail diário de { $team } volta a partir do próximo dia útil.
away-not-active = Seu e-mail diário de { $team } já está parado, então não há nada para pausar. Um administrador da equipe pode explicar o motivo.
away-link-old = Este link é antigo demais para pausar seu e-mail. O link de um e-mail diário mais recente pode.

## Páginas que avisam que algo deu errado

error-expired-title = Este link expirou
error-expired-body = Os links valem por um tempo: o de resposta até o fim do dia seguinte, o de cancelamento da inscrição por 60 dias, o da página de tendência por 14. Um e-mail mais recente traz links novos.
error-bad-link-title = Este link não funciona
error-bad-link-body = Ele pode ter sido cortado ou alterado no caminho. Abra-o de novo pelo e-mail ou responda ao de amanhã.
error-bad-score-title = Essa resposta não é uma das cinco
error-bad-score-body = Escolha uma das cinco respostas do e-mail.
error-bad-date-title = Esse dia não pode ser escolhido
error-bad-date-body = Escolha o dia em que você volta: um dia depois de hoje, dentro das datas que a página oferece.
error-not-confirmed-title = Nada foi alterado
error-not-confirmed-body = Marque a caixa na página para confirmar e depois toque no botão. (Os verificadores de e-mail enviam formulários sem essa marcação.)
error-comment-too-long-title = Esse comentário é longo demais
error-comment-too-long-body = Os comentários podem ter até 1.000 caracteres. Volte e encurte o seu.
error-too-large-title = Isso foi demais
error-too-large-body = A solicitação era maior do que qualquer resposta pode ser.
error-not-found-title = Página não encontrada
error-not-found-body = Não há nada aqui. Os links do e-mail diário levam às páginas certas.
error-method-title = Não permitido
error-method-body = Esta página não pode ser usada dessa forma.
error-unknown-team-title = Esta equipe não existe mais
error-unknown-team-body = Nada foi registrado. Você não vai receber mais e-mails dela.
error-day-closed-title = As respostas deste dia foram encerradas
error-day-closed-body = As respostas de um dia podem ser dadas ou alteradas até o fim do dia seguinte; depois disso, os números ficam fixos e quem respondeu é esquecido. O e-mail de amanhã traz uma nova pergunta.
error-not-member-title = Você não faz mais parte desta equipe
error-not-member-body = Nada foi registrado: só contam as respostas de membros da equipe.
error-revoked-title = Este link foi revogado
error-revoked-body = Os links para a página de tendência enviados a você antes disso não abrem mais. O próximo resumo semanal traz um novo.
error-not-admin-title = Este link é para os administradores da equipe
error-not-admin-body = A pessoa para quem ele foi enviado não é mais administradora da equipe.
error-unavailable-title = Tente novamente
error-unavailable-body = Não foi possível salvar sua resposta agora. Tente o link de novo daqui a um minuto.

## A página de tendência, para os administradores da equipe

trend-period = { $team } · últimos { $days } dias
trend-heading = Como { $team } se sente em relação ao trabalho
trend-days = { $days } dias
trend-download = Baixar CSV
trend-mean = resposta média (1–5)
trend-participation = participação
trend-enough-days = dias com respostas suficientes
trend-of = { $n } de { $total }
trend-chart-title = Resposta média diária, últimos { $days } dias
trend-chart-empty = Nenhum dia deste período teve respostas suficientes para exibir.
trend-chart-summary = { $days ->
    [one] Um dia com respostas suficientes; a média foi { $low }.
   *[other] { $days } dias com respostas suficientes; médias diárias entre { $low } e { $high }.
}
trend-bar = { $n ->
    [one] { $date }: { $n } pessoa respondeu { $score }
   *[other] { $date }: { $n } pessoas responderam { $score }
}
trend-point = { $date }: média { $mean } de { $voters } respostas
trend-thin = { $date }: respostas insuficientes
trend-legend = respostas por dia · linha: a média diária · marcas cinza: respostas insuficientes (menos de { $min })
trend-table-caption = Os números de cada dia encerrado
trend-table-date = Dia
trend-table-voters = Respostas
trend-table-mean = Média
trend-table-counts = Respostas 1 / 2 / 3 / 4 / 5
trend-table-too-few = respostas insuficientes
trend-members = Membros
trend-active = { $n ->
    [0] Nenhum membro recebe o e-mail diário
    [one] { $n } membro recebe o e-mail diário
   *[other] { $n } membros recebem o e-mail diário
}
members-paused = { $n } em pausa
members-away = { $n ->
    [one] { $n } ausente
   *[other] { $n } ausentes
}
members-unsubscribed = { $n ->
    [one] { $n } cancelou a inscrição
   *[other] { $n } cancelaram a inscrição
}
members-bounced = { $n ->
    [one] { $n } com e-mail devolvido (suprimido)
   *[other] { $n } com e-mail devolvido (suprimidos)
}
members-complained = { $n ->
    [one] { $n } marcou como spam (suprimido)
   *[other] { $n } marcaram como spam (suprimidos)
}
trend-comments = Comentários da última semana
trend-no-comments = Nenhum comentário nos dias com respostas suficientes.
trend-note = Um dia aparece aqui depois que as respostas dele são encerradas (no fim do dia seguinte) e não muda mais. Dias com menos de { $voters } respostas não mostram média nem distribuição, e os comentários de um dia só aparecem se ele teve pelo menos { $commenters } respostas, para que a resposta de ninguém possa ser identificada. A participação conta só as respostas dos dias que aparecem.

## Os e-mails dos administradores

admin-why = Você recebe isto porque é administrador de { $team }.
see-trend = Ver a tendência
trend-link = A tendência: { $url }
weekly-subject = { $team }: seu resumo semanal do Morale
weekly-better = { $team }: uma semana melhor ({ $mean }, subiu de { $last })
weekly-harder = { $team }: uma semana mais difícil ({ $mean }, caiu de { $last })
weekly-steady = { $team }: uma semana estável ({ $mean })
weekly-first = { $team }: a média da semana passada foi { $mean }
weekly-unknown = { $team }: respostas insuficientes na semana passada para mostrar uma média
weekly-last-week = Semana passada
weekly-week-before = Semana anterior
weekly-mean = Resposta média (1–5)
weekly-participation = Participação
weekly-enough-days = Dias com respostas suficientes
weekly-no-mean = respostas insuficientes
weekly-all-active = { $n ->
    [0] A equipe ainda não tem membros.
    [one] O único membro recebe o e-mail diário.
   *[other] Todos os { $n } membros recebem o e-mail diário.
}
weekly-some-stopped = { $n ->
    [0] Nenhum membro recebe
    [one] { $n } membro recebe
   *[other] { $n } membros recebem
} o e-mail diário; { $stopped }. “moralectl suppressions list” mostra os endereços bloqueados.
weekly-delivery = E-mails diários da semana passada: { $line }.
delivery-reached = { $reached } de { $scheduled } entregues
delivery-complained = { $n ->
    [one] { $n } marcado como spam
   *[other] { $n } marcados como spam
}
delivery-bounced = { $n ->
    [one] { $n } devolvido
   *[other] { $n } devolvidos
}
delivery-failed = { $n ->
    [one] { $n } com falha
   *[other] { $n } com falha
}
delivery-suppressed = { $n ->
    [one] { $n } não enviado (pausado ou removido nesse meio-tempo)
   *[other] { $n } não enviados (pausados ou removidos nesse meio-tempo)
}
delivery-unconfirmed = { $n ->
    [one] { $n } não confirmado
   *[other] { $n } não confirmados
}
delivery-in-flight = { $n ->
    [one] { $n } ainda a caminho
   *[other] { $n } ainda a caminho
}
delivery-missed = { $n ->
    [one] { $n } perdido (nenhum envio foi executado)
   *[other] { $n } perdidos (nenhum envio foi executado)
}
delivery-unaccounted = { $n ->
    [one] { $n } SEM EXPLICAÇÃO
   *[other] { $n } SEM EXPLICAÇÃO
}
weekly-privacy = Dias com menos de { $min } respostas não mostram números, para que a resposta de ninguém possa ser identificada.
low-subject = { $team }: alguns dias difíceis seguidos
low-heading = { $team } teve alguns dias difíceis
low-intro = A resposta média da equipe foi 2 ou menos em cada um dos últimos { $n } dias úteis:
low-day = { $date }: média da equipe { $mean }
low-body = Esta é uma média da equipe com pelo menos { $min } respostas anônimas por dia; nenhuma resposta individual aparece nela. Uma conversa com a equipe pode ajudar mais do que tentar descobrir quem respondeu o quê.
low-why = Você recebe isto uma vez por sequência de dias baixos.
problems-subject = { $team }: alguns e-mails diários não puderam ser entregues
problems-heading = Alguns e-mails diários de { $team } não puderam ser entregues
problems-intro = O Morale parou de enviar e-mails a estes membros de { $team } em { $date }, porque os servidores de e-mail deles recusaram a mensagem definitivamente ou porque eles a marcaram como spam:
problems-advice = Se um endereço mudou, remova o membro e adicione o novo endereço. Se alguém marcou o e-mail como spam por engano, fale com a pessoa antes de adicioná-la de novo: o Morale não envia e-mails a quem reclamou.
problems-more = Este e-mail lista no máximo 200 problemas, e pode haver mais. Quem administra o Morale para a sua equipe pode listar todos os membros que não recebem mais e-mails, e o motivo.
problems-why = No máximo um destes por dia.
problem-line = { $address }: { $what } ({ $detail })
problem-bounced = devolvido: o servidor de e-mail recusa a mensagem
problem-complained = marcou o e-mail como spam
problem-removed = não é mais membro
problem-about = sobre o e-mail da { $date }
