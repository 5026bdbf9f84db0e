{#
  Every key result scored at as_of, the newest day of the run (docs/scoring.md). The rules are
  in intermediate/int_kr_scores_daily.sql, which scores every day of the run at once.
#}
{{ okr_newest_day('int_kr_scores_daily', okr_kr_score_columns()) }}
