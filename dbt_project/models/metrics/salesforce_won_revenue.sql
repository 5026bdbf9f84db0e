-- Revenue of Salesforce opportunities closed won, on their close date (opportunity amounts).
{{ okr_salesforce_won('coalesce(amount, 0)') }}
