-- LinkedIn Ads cost, impressions, clicks and conversions per day, account and campaign (account currency).
{{ okr_ad_campaign_days('linkedin_ads', 'linkedin_ads_campaign_days') }}
