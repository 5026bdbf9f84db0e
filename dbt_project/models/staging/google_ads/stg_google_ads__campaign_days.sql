-- Google Ads cost, impressions, clicks and conversions per day, account and campaign (account currency).
{{ okr_ad_campaign_days('google_ads', 'google_ads_campaign_days') }}
