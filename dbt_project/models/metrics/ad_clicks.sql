-- Ad clicks per day by platform, account and campaign.
{{ okr_ad_metric('clicks') }}
