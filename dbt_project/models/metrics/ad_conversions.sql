-- Conversions the ad platforms attribute to their campaigns, per day by platform, account and campaign.
{{ okr_ad_metric('conversions') }}
