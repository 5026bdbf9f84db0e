-- Meta Ads cost, impressions, clicks and conversions per day, account and campaign (account currency).
{{ okr_ad_campaign_days('meta_ads', 'meta_ads_campaign_days') }}
