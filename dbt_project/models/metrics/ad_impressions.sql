-- Ad impressions per day by platform, account and campaign.
{{ okr_ad_metric('impressions') }}
