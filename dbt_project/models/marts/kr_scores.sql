{#
  Every key result scored at as_of, the newest day of the run (docs/scoring.md). The rules are
  in intermediate/int_kr_scores_daily.sql, which scores every day of the run at once (the
  forecast interval: int_kr_forecasts_daily.sql).
#}
{{ okr_newest_day('int_kr_forecasts_daily', okr_kr_score_columns()) }}
