{#
  Objectives scored at as_of, the newest day of the run (docs/scoring.md, "Objectives"). The
  rules are in intermediate/int_objective_scores_daily.sql, which scores every day at once.
#}
{{ okr_newest_day('int_objective_scores_daily', okr_objective_score_columns()) }}
