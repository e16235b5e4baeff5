# Morale's messages in English: the reference every other locale is checked against.
#
# A translator edits only the text after "=". Keep every message id and every { $variable }:
# a test fails if a locale misses a message or a variable. Text is plain (no HTML): the
# templates around it are the same in every language.

## Dates, written the local way: the names, then the order they go in.
## $weekday, $day, $month, $year come from the names below.

weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
weekday-short-1 = Mon
weekday-short-2 = Tue
weekday-short-3 = Wed
weekday-short-4 = Thu
weekday-short-5 = Fri
weekday-short-6 = Sat
weekday-short-7 = Sun
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
month-short-1 = Jan
month-short-2 = Feb
month-short-3 = Mar
month-short-4 = Apr
month-short-5 = May
month-short-6 = Jun
month-short-7 = Jul
month-short-8 = Aug
month-short-9 = Sep
month-short-10 = Oct
month-short-11 = Nov
month-short-12 = Dec
# "Friday 4 December"
date-long = { $weekday } { $day } { $month }
# "Friday 4 December 2026"
date-long-year = { $weekday } { $day } { $month } { $year }
# "Fri 4 Dec", in the trend chart
date-short-weekday = { $weekday } { $day } { $month }
# "4 Dec", under the trend chart
date-short = { $day } { $month }

## Numbers

# Between the whole part and the decimals of a mean: "3.45".
decimal-separator = .
percent = { $n }%
list-separator = { "; " }
sentence = { $text }.

## The five answers, from worst to best

answer-1 = Awful
answer-2 = Not great
answer-3 = Okay
answer-4 = Good
answer-5 = Great

## The daily email

daily-subject = { $team }: how do you feel about work today?
daily-preheader = How was work today? Pick one, then send.
daily-greeting = Hi { $name },
daily-greeting-anonymous = Hi,
daily-question = How do you feel about work today?
daily-intro = Pick one; the page that opens records it when you tap “Send my answer”. Nobody sees who answered what.
daily-text-intro = Open the link of your answer, then tap “Send my answer” on the page (nobody sees who answered what):
daily-away = Away for a while?
daily-away-link = Pause my emails until I’m back
daily-footer = You get this email every workday because you are a member of { $team } on Morale. Answers are anonymous: the team sees only daily averages, and only on days with at least { $min } answers.
unsubscribe = Unsubscribe

## The answer pages

answer-legend = How do you feel about work today?
answer-comment-label = Anything to add? (optional, anonymous)
answer-send = Send my answer
answer-nothing-yet = Nothing is recorded until you tap “Send my answer”. Your team sees only daily averages once the day has closed, and only for days with at least { $min } answers.
answer-privacy = Your team sees only daily averages once the day has closed, and only for days with at least { $min } answers.
thanks-title = Thank you
thanks-heading = Thank you!
thanks-comment-saved = Your comment was saved with your answer.
thanks-change = Change my answer or add a comment
thanks-latest-counts = Send again: the latest answer counts.
quarantined-heading = Please send your answer again
quarantined-body = Several different answers for this email arrived within seconds, as mail security scanners send them, so none of them is counted. If that was you, choose once more below in a minute.

## Unsubscribing

unsubscribe-heading = Stop the daily email?
unsubscribe-body = You will no longer get “How do you feel about work today?” from { $team }. You can come back at any time.
unsubscribe-confirm = Yes, stop my daily email
unsubscribed-heading = You are unsubscribed
unsubscribed-body = You will not get { $team }’s daily email any more. Changed your mind? Re-subscribe below.
resubscribe = Re-subscribe
resubscribe-confirm = Yes, send me the daily email again
resubscribed-heading = Welcome back
resubscribed-body = You will get { $team }’s daily email again from the next workday.
unchanged-heading = Nothing to change
unchanged-body = Your subscription to { $team } was not changed. An admin of the team can help.
not-listed-heading = You are not on this list
not-listed-body = You are no longer a member of { $team }: nothing to do.

## A member's own pause: "I'm away until …"

away-title = Away for a while
away-heading = Pause your daily email while you are away
away-body = Pick the day you are back. Until then you get no email from { $team }, and your team’s participation does not count you. The emails start again by themselves on that day.
away-date-label = I’m back on
away-date-hint = A day after today, up to { $last }.
away-button = Pause until then
away-set-heading = See you on { $date }
away-set-body = No daily email from { $team } until then; it starts again by itself that day.
away-current = Your daily email starts again on { $date }.
away-back-button = I’m back now
away-back-confirm = Yes, I’m back: send my daily email again
away-back-heading = Welcome back
away-back-body = Your daily email from { $team } starts again with the next workday.
away-not-active = Your daily email from { $team } is stopped already, so there is nothing to pause. An admin of the team can tell you why.
away-link-old = This link is too old to pause your email with. The link in a newer daily email can.

## Pages that say something went wrong

error-expired-title = This link has expired
error-expired-body = Links work for a while: an answer until the end of the next day, unsubscribing for 60 days, a trend page for 14. A newer email brings fresh ones.
error-bad-link-title = This link does not work
error-bad-link-body = It may have been cut short or changed on its way. Open it again from the email, or answer tomorrow’s.
error-bad-score-title = That answer is not one of the five
error-bad-score-body = Pick one of the five answers in the email.
error-bad-date-title = That day cannot be chosen
error-bad-date-body = Pick the day you are back: a day after today, within the dates the page offers.
error-not-confirmed-title = Nothing was changed
error-not-confirmed-body = Tick the box on the page to confirm, then tap the button. (Mail scanners send forms without it.)
error-comment-too-long-title = That comment is too long
error-comment-too-long-body = Comments can be up to 1,000 characters. Go back and shorten it.
error-too-large-title = That was too much
error-too-large-body = The request was larger than any answer can be.
error-not-found-title = Page not found
error-not-found-body = There is nothing here. The links in the daily email lead to the right pages.
error-method-title = Not allowed
error-method-body = This page cannot be used that way.
error-unknown-team-title = This team no longer exists
error-unknown-team-body = Nothing was recorded. You will not get more emails from it.
error-day-closed-title = This day’s answers have closed
error-day-closed-body = A day’s answers can be given or changed until the end of the next day; then its figures are fixed and who answered is forgotten. Tomorrow’s email brings a new question.
error-not-member-title = You are no longer on this team
error-not-member-body = Nothing was recorded: answers count only from the team’s members.
error-revoked-title = This link was revoked
error-revoked-body = Links to the trend page sent to you before then no longer open. The next weekly digest brings a fresh one.
error-not-admin-title = This link is for the team’s admins
error-not-admin-body = Whoever it was sent to is no longer an admin of the team.
error-unavailable-title = Please try again
error-unavailable-body = Your answer could not be saved just now. Please try the link again in a minute.

## The trend page, for a team's admins

trend-period = { $team } · last { $days } days
trend-heading = How { $team } feels about work
trend-days = { $days } days
trend-download = Download CSV
trend-mean = mean answer (1–5)
trend-participation = participation
trend-enough-days = days with enough answers
trend-of = { $n } of { $total }
trend-chart-title = Daily mean answer, last { $days } days
trend-chart-empty = No day in this period had enough answers to show.
trend-chart-summary = { $days ->
    [one] One day with enough answers; its mean was { $low }.
   *[other] { $days } days with enough answers; daily means between { $low } and { $high }.
}
trend-bar = { $date }: { $n } answered { $score }
trend-point = { $date }: mean { $mean } from { $voters } answers
trend-thin = { $date }: not enough answers
trend-legend = answers per day · line: the daily mean · grey marks: not enough answers (fewer than { $min })
trend-table-caption = Each closed day’s figures
trend-table-date = Day
trend-table-voters = Answers
trend-table-mean = Mean
trend-table-counts = Answers 1 / 2 / 3 / 4 / 5
trend-table-too-few = not enough answers
trend-members = Members
trend-active = { $n ->
    [0] No member gets the daily email
    [one] One member gets the daily email
   *[other] { $n } members get the daily email
}
members-paused = { $n } paused
members-away = { $n } away
members-unsubscribed = { $n } unsubscribed
members-bounced = { $n } bounced (suppressed)
members-complained = { $n } complained (suppressed)
trend-comments = Comments from the last week
trend-no-comments = No comments on days with enough answers.
trend-note = A day shows here once its answers have closed (at the end of the next day), and never changes after. Days with fewer than { $voters } answers show no mean and no distribution, and a day’s comments show only when it had at least { $commenters } answers, so that nobody’s answer can be singled out. Participation counts only the answers of days that show.

## The admins' emails

admin-why = You get this because you are an admin of { $team }.
see-trend = See the trend
trend-link = The trend: { $url }
weekly-subject = { $team }: your weekly Morale digest
weekly-better = { $team }: a better week ({ $mean }, up from { $last })
weekly-harder = { $team }: a harder week ({ $mean }, down from { $last })
weekly-steady = { $team }: a steady week ({ $mean })
weekly-first = { $team }: last week’s mean was { $mean }
weekly-unknown = { $team }: not enough answers last week to show a mean
weekly-last-week = Last week
weekly-week-before = The week before
weekly-mean = Mean answer (1–5)
weekly-participation = Participation
weekly-enough-days = Days with enough answers
weekly-no-mean = not enough answers
weekly-all-active = { $n ->
    [0] The team has no members yet.
    [one] Its one member gets the daily email.
   *[other] All { $n } members get the daily email.
}
weekly-some-stopped = { $n ->
    [one] One member gets
   *[other] { $n } members get
} the daily email; { $stopped }. “moralectl suppressions list” names the addresses of those suppressed.
weekly-delivery = Last week’s daily emails: { $line }.
delivery-reached = { $reached } of { $scheduled } reached
delivery-complained = { $n } marked it as spam
delivery-bounced = { $n } bounced
delivery-failed = { $n } failed
delivery-suppressed = { $n } not sent (paused or removed meanwhile)
delivery-unconfirmed = { $n } unconfirmed
delivery-in-flight = { $n } still on the way
delivery-missed = { $n } missed (no sender ran)
delivery-unaccounted = { $n } UNACCOUNTED
weekly-privacy = Days with fewer than { $min } answers show no figures, so that nobody’s answer can be singled out.
low-subject = { $team }: a few hard days in a row
low-heading = { $team } has had a hard few days
low-intro = The team’s average answer has been 2 or lower on each of the last { $n } workdays:
low-day = { $date }: team mean { $mean }
low-body = This is a team average from at least { $min } anonymous answers a day; nobody’s own answer is in it. A conversation with the team may help more than a search for who answered what.
low-why = You get this once per low stretch.
problems-subject = { $team }: some daily emails could not be delivered
problems-heading = Some of { $team }’s daily emails could not be delivered
problems-intro = Morale stopped emailing these members of { $team } on { $date }, because their mail servers refused the email for good or because they reported it as spam:
problems-advice = If an address has changed, remove the member and add the new address. If a member reported the email as spam by mistake, ask them before adding them back: Morale does not email people who complained.
problems-more = This email lists 200 problems at most, and there may be more. Whoever runs Morale for your team can list every member it no longer emails, and why.
problems-why = At most one of these a day.
problem-line = { $address }: { $what } ({ $detail })
problem-bounced = bounced: their mail server refuses the email
problem-complained = reported the email as spam
problem-removed = no longer a member
problem-about = about the email of { $date }
