# Morale のメッセージ(日本語)。英語版が基準で、各ロケールはそれと照合されます。
#
# 翻訳者が編集するのは「=」の後のテキストだけです。メッセージ ID と { $variable } はすべて残してください。
# ロケールにメッセージや変数が欠けているとテストが失敗します。テキストはプレーンテキスト(HTML なし)です。
# 周りのテンプレートはどの言語でも同じです。

## 日付(現地の書き方):名前と、その並び順。
## $weekday、$day、$month、$year は下の名前から来ます。

weekday-1 = 月曜日
weekday-2 = 火曜日
weekday-3 = 水曜日
weekday-4 = 木曜日
weekday-5 = 金曜日
weekday-6 = 土曜日
weekday-7 = 日曜日
weekday-short-1 = 月
weekday-short-2 = 火
weekday-short-3 = 水
weekday-short-4 = 木
weekday-short-5 = 金
weekday-short-6 = 土
weekday-short-7 = 日
month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月
month-short-1 = 1月
month-short-2 = 2月
month-short-3 = 3月
month-short-4 = 4月
month-short-5 = 5月
month-short-6 = 6月
month-short-7 = 7月
month-short-8 = 8月
month-short-9 = 9月
month-short-10 = 10月
month-short-11 = 11月
month-short-12 = 12月
# 「12月4日 金曜日」
date-long = { $month }{ $day }日 { $weekday }
# 「2026年12月4日 金曜日」
date-long-year = { $year }年{ $month }{ $day }日 { $weekday }
# 「12月4日(金)」、トレンドグラフ内
date-short-weekday = { $month }{ $day }日({ $weekday })
# 「12月4日」、トレンドグラフの下
date-short = { $month }{ $day }日

## 数値

# 平均値の整数部と小数部の間:「3.45」。
decimal-separator = .
percent = { $n }%
list-separator = 、
sentence = { $text }。

## 5 つの回答(最悪から最良の順)

answer-1 = 最悪
answer-2 = いまいち
answer-3 = まあまあ
answer-4 = 良い
answer-5 = 最高

## 毎日のメール

daily-subject = { $team }:今日の仕事の気分はいかがですか?
daily-preheader = 今日の仕事はいかがでしたか?1 つ選んで送信してください。
daily-greeting = { $name } さん、こんにちは。
daily-greeting-anonymous = こんにちは。
daily-question = 今日の仕事の気分はいかがですか?
daily-intro = 1 つ選んでください。開いたページで「回答を送信」を押すと記録されます。誰がどう答えたかは誰にもわかりません。
daily-text-intro = 回答に対応するリンクを開き、ページで「回答を送信」を押してください(誰がどう答えたかは誰にもわかりません):
daily-away = しばらく不在ですか?
daily-away-link = 戻るまでメールを一時停止する
daily-footer = このメールは、Morale の { $team } のメンバーであるあなたに毎営業日お送りしています。回答は匿名です。チームに表示されるのは日ごとの平均だけで、それも回答が { $min } 件以上あった日に限られます。
unsubscribe = 配信停止

## 回答ページ

answer-legend = 今日の仕事の気分はいかがですか?
answer-comment-label = ほかに伝えたいことはありますか?(任意・匿名)
answer-send = 回答を送信
answer-nothing-yet = 「回答を送信」を押すまで何も記録されません。チームに表示されるのは、その日の受付が締め切られた後の日ごとの平均だけで、それも回答が { $min } 件以上あった日に限られます。
answer-privacy = チームに表示されるのは、その日の受付が締め切られた後の日ごとの平均だけで、それも回答が { $min } 件以上あった日に限られます。
thanks-title = ありがとうございます
thanks-heading = ありがとうございました!
thanks-comment-saved = コメントは回答と一緒に保存されました。
thanks-change = 回答を変更する、またはコメントを追加する
thanks-latest-counts = もう一度送信できます。最新の回答が有効になります。
quarantined-heading = もう一度回答を送信してください
quarantined-body = このメールに対して、メールのセキュリティスキャナーが送るように、数秒以内に異なる回答が複数届いたため、どれも集計されていません。ご自身で回答した場合は、少し待ってから下でもう一度選んでください。

## 配信停止

unsubscribe-heading = 毎日のメールを停止しますか?
unsubscribe-body = { $team } から「今日の仕事の気分はいかがですか?」が届かなくなります。いつでも再開できます。
unsubscribe-confirm = はい、毎日のメールを停止してください
unsubscribed-heading = 配信を停止しました
unsubscribed-body = { $team } の毎日のメールは今後届きません。気が変わった場合は、下から再登録できます。
resubscribe = 再登録
resubscribe-confirm = はい、毎日のメールを再開してください
resubscribed-heading = おかえりなさい
resubscribed-body = 次の営業日から、{ $team } の毎日のメールが再び届きます。
unchanged-heading = 変更はありません
unchanged-body = { $team } の配信設定は変更されませんでした。チームの管理者にお問い合わせください。
not-listed-heading = このリストに登録されていません
not-listed-body = あなたはすでに { $team } のメンバーではありません。操作は不要です。

## メンバー自身による一時停止:「… まで不在」

away-title = しばらく不在
away-heading = 不在の間、毎日のメールを一時停止します
away-body = 戻る日を選んでください。その日まで { $team } からメールは届かず、チームの参加率にも含まれません。その日になるとメールは自動的に再開されます。
away-date-label = 戻る日
away-date-hint = 明日以降、{ $last } まで。
away-button = その日まで一時停止
away-set-heading = { $date } にまたお会いしましょう
away-set-body = それまで { $team } から毎日のメールは届きません。その日に自動的に再開されます。
away-current = 毎日のメールは { $date } から再開されます。
away-back-button = 今日から戻ります
away-back-confirm = はい、戻りました。毎日のメールを再開してください
away-back-heading = おかえりなさい
away-back-body = 次の営業日から、{ $team } の毎日のメールが再開されます。
away-not-active = { $team } の毎日のメールはすでに停止されているため、一時停止の必要はありません。理由はチームの管理者にお問い合わせください。
away-link-old = このリンクは古いため、メールの一時停止には使えません。新しい毎日のメールのリンクをお使いください。

## 問題が起きたことを伝えるページ

error-expired-title = このリンクは有効期限が切れています
error-expired-body = リンクには有効期限があります。回答は翌日の終わりまで、配信停止は 60 日間、トレンドページは 14 日間です。新しいメールには新しいリンクが含まれています。
error-bad-link-title = このリンクは使用できません
error-bad-link-body = 途中で切れたり、変更されたりした可能性があります。メールからもう一度開くか、明日のメールで回答してください。
error-bad-score-title = その回答は 5 つの選択肢にありません
error-bad-score-body = メールにある 5 つの回答から 1 つを選んでください。
error-bad-date-title = その日は選べません
error-bad-date-body = 戻る日を選んでください。明日以降で、ページに表示される範囲内の日付です。
error-not-confirmed-title = 何も変更されていません
error-not-confirmed-body = 確認のため、ページのチェックボックスにチェックを入れてからボタンを押してください(メールのスキャナーはチェックなしでフォームを送信します)。
error-comment-too-long-title = コメントが長すぎます
error-comment-too-long-body = コメントは 1,000 文字までです。前のページに戻って短くしてください。
error-too-large-title = データが大きすぎます
error-too-large-body = リクエストが、回答としてありえる大きさを超えていました。
error-not-found-title = ページが見つかりません
error-not-found-body = ここには何もありません。毎日のメールにあるリンクから正しいページを開けます。
error-method-title = 許可されていません
error-method-body = このページはその方法では使用できません。
error-unknown-team-title = このチームはもう存在しません
error-unknown-team-body = 何も記録されていません。このチームからメールが届くことはもうありません。
error-day-closed-title = この日の回答受付は締め切られました
error-day-closed-body = 各日の回答は翌日の終わりまで送信・変更できます。その後は数値が確定し、誰が回答したかの情報は消去されます。明日のメールで新しい質問が届きます。
error-not-member-title = あなたはすでにこのチームのメンバーではありません
error-not-member-body = 何も記録されていません。回答はチームのメンバーからのものだけが集計されます。
error-revoked-title = このリンクは無効化されました
error-revoked-body = それ以前に送られたトレンドページへのリンクは開けなくなりました。次回の週次ダイジェストに新しいリンクが含まれます。
error-not-admin-title = このリンクはチームの管理者向けです
error-not-admin-body = このリンクの送信先は、すでにチームの管理者ではありません。
error-unavailable-title = もう一度お試しください
error-unavailable-body = 現在、回答を保存できませんでした。少し待ってから、もう一度リンクを開いてください。

## トレンドページ(チームの管理者向け)

trend-period = { $team } · 過去 { $days } 日間
trend-heading = { $team } の仕事の気分
trend-days = { $days } 日間
trend-download = CSV をダウンロード
trend-mean = 平均回答(1〜5)
trend-participation = 参加率
trend-enough-days = 回答が十分にあった日
trend-of = { $n } / { $total }
trend-chart-title = 日ごとの平均回答(過去 { $days } 日間)
trend-chart-empty = この期間には、表示できるだけの回答があった日がありません。
trend-chart-summary = { $days ->
   *[other] 回答が十分にあった日は { $days } 日で、日ごとの平均は最低 { $low }、最高 { $high } です。
}
trend-bar = { $date }:{ $n } 人が「{ $score }」と回答
trend-point = { $date }:平均 { $mean }(回答 { $voters } 件)
trend-thin = { $date }:回答が不足
trend-legend = 1 日あたりの回答数 · 線:日ごとの平均 · 灰色の印:回答が不足({ $min } 件未満)
trend-table-caption = 締め切られた各日の数値
trend-table-date = 日付
trend-table-voters = 回答数
trend-table-mean = 平均
trend-table-counts = 回答 1 / 2 / 3 / 4 / 5
trend-table-too-few = 回答が不足
trend-members = メンバー
trend-active = { $n ->
    [0] 毎日のメールを受け取っているメンバーはいません
   *[other] { $n } 人が毎日のメールを受け取っています
}
members-paused = { $n } 人が一時停止中
members-away = { $n } 人が不在
members-unsubscribed = { $n } 人が配信停止
members-bounced = { $n } 人が配信エラー(送信停止中)
members-complained = { $n } 人が迷惑メール報告(送信停止中)
trend-comments = 過去 1 週間のコメント
trend-no-comments = 回答が十分にあった日のコメントはありません。
trend-note = 各日は回答の受付が締め切られた時点(翌日の終わり)でここに表示され、その後は変わりません。特定の人の回答がわからないよう、回答が { $voters } 件未満の日は平均も分布も表示されず、コメントはその日の回答が { $commenters } 件以上ある場合にだけ表示されます。参加率は、表示される日の回答だけを数えます。

## 管理者向けメール

admin-why = このメールは、あなたが { $team } の管理者であるためお送りしています。
see-trend = トレンドを見る
trend-link = トレンド:{ $url }
weekly-subject = { $team }:Morale の週次ダイジェスト
weekly-better = { $team }:良い 1 週間でした({ $mean }、前週の { $last } から上昇)
weekly-harder = { $team }:厳しい 1 週間でした({ $mean }、前週の { $last } から低下)
weekly-steady = { $team }:安定した 1 週間でした({ $mean })
weekly-first = { $team }:先週の平均は { $mean } でした
weekly-unknown = { $team }:先週は回答が不足しているため、平均を表示できません
weekly-last-week = 先週
weekly-week-before = 前週
weekly-mean = 平均回答(1〜5)
weekly-participation = 参加率
weekly-enough-days = 回答が十分にあった日
weekly-no-mean = 回答が不足
weekly-all-active = { $n ->
    [0] チームにはまだメンバーがいません。
   *[other] メンバー { $n } 人全員が毎日のメールを受け取っています。
}
weekly-some-stopped = 毎日のメールを受け取っているのは { $n } 人です({ $stopped })。送信停止中のアドレスは「moralectl suppressions list」で確認できます。
weekly-delivery = 先週の毎日のメール:{ $line }。
delivery-reached = { $scheduled } 通中 { $reached } 通が到着
delivery-complained = { $n } 通が迷惑メール報告
delivery-bounced = { $n } 通が配信エラー
delivery-failed = { $n } 通が送信失敗
delivery-suppressed = { $n } 通が未送信(その間に一時停止または削除)
delivery-unconfirmed = { $n } 通が未確認
delivery-in-flight = { $n } 通が配信中
delivery-missed = { $n } 通が送信漏れ(送信処理が動かず)
delivery-unaccounted = { $n } 通が原因不明
weekly-privacy = 特定の人の回答がわからないよう、回答が { $min } 件未満の日は数値を表示しません。
low-subject = { $team }:厳しい日が続いています
low-heading = { $team } では厳しい日が数日続いています
low-intro = 直近 { $n } 営業日、チームの平均回答は毎日 2 以下でした:
low-day = { $date }:チーム平均 { $mean }
low-body = これは 1 日あたり { $min } 件以上の匿名回答から算出したチームの平均で、個人の回答は含まれていません。誰がどう答えたかを探すより、チームと話し合うほうが役に立つかもしれません。
low-why = このメールは、低調な期間ごとに 1 回だけお送りします。
problems-subject = { $team }:一部の毎日のメールを配信できませんでした
problems-heading = { $team } の毎日のメールの一部を配信できませんでした
problems-intro = { $date } に、Morale は { $team } の以下のメンバーへのメール送信を停止しました。メールサーバーがメールを恒久的に拒否したか、メンバーが迷惑メールとして報告したためです:
problems-advice = アドレスが変わった場合は、そのメンバーを削除して新しいアドレスを追加してください。メンバーが誤って迷惑メールとして報告した場合は、再度追加する前に本人に確認してください。Morale は迷惑メール報告をした人にはメールを送りません。
problems-more = このメールに載せられる問題は最大 200 件で、ほかにもある可能性があります。メールが送られなくなったすべてのメンバーとその理由は、チームの Morale 管理者が一覧で確認できます。
problems-why = このメールは 1 日に最大 1 回お送りします。
problem-line = { $address }:{ $what }({ $detail })
problem-bounced = 配信エラー:受信側のメールサーバーが拒否しています
problem-complained = メールを迷惑メールとして報告しました
problem-removed = すでにメンバーではありません
problem-about = { $date } のメールについて
