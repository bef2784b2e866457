"""The values speakers' event fields take: one list each, shared by the service, its
subscribers and the checklist rules that filter on them. Extend a list at its end."""

# What a person does at the conference. `moderator` leads a session or dialogue (and,
# until rules use `mc`, stands for the master of ceremonies of 18.2.1); `mc` hosts the
# plenary (大会主持人); `session_chair` chairs an academic session; `vip` is a guest of
# honour who may not speak (`speaks` on SpeakerConfirmed says).
ROLES = ("keynote", "speaker", "vip", "moderator", "panelist", "session_chair", "mc")
# 1.7.1: how a speaker comes in: nominated by a committee, referred by a partner, through
# an agency, self-applied, or from an accepted submission of the call for papers.
ROUTES = ("nomination", "referral", "agency", "self_application", "call_for_papers")
# 1.5.2: the session formats.
FORMATS = (
    "keynote",
    "talk",
    "dialogue",
    "panel",
    "round_table",
    "workshop",
    "training",
    "poster",
)
CONTACT_CHANNELS = ("email", "phone", "visit", "wechat", "letter")
# A reviewer's proposal, as Indico's: accept, reject, move to another track, duplicate.
RECOMMENDATIONS = ("accept", "reject", "change_track", "duplicate")
# The judgment on a submission (Indico's judge; pretalx's accept or reject).
DECISIONS = ("accepted", "rejected", "duplicate", "merged")
# pretalx tells a speaker's withdrawal (withdrawn) from the organiser's (canceled).
WITHDRAWN_BY = ("speaker", "organiser")
AGREEMENTS = ("confirmation", "recording_release", "portrait_release", "honorarium")
DIRECTIONS = ("arrival", "departure")
TRAVEL_MODES = ("flight", "train", "car", "other")
BOOKED_BY = ("organiser", "travel_agency", "guest")
PAID_BY = ("organiser", "guest", "sponsor", "employer")
# 9.1.5, 20.2.3, 20.2.5: who meets a guest: a driver, the agency's guide, a staff
# member, or senior staff one to one (VIPs).
GREETERS = ("driver", "agency_guide", "staff", "senior_staff", "volunteer")
BRIEFING_TOPICS = (
    "slide_deadline",
    "slide_template",
    "dress_code",
    "travel_safety",
    "language",
    "content_rules",
    "presenter_remote",
    "programme",
)
# 9.3.2: the final slides play; 21.3.4: screened for political content, maps (a wrong
# map of China is a legal matter) and advertising.
SLIDE_CHECKS = ("plays", "political_content", "maps", "advertising", "fonts", "media")
AV_NEEDS = (
    "lectern",
    "handheld_microphone",
    "lavalier_microphone",
    "own_laptop",
    "video",
    "audio",
    "presenter_remote",
    "interpreting",
    "confidence_monitor",
)
# Individual income tax on an honorarium (劳务报酬) is withheld by the payer, who files it
# under the payee's ID: its type here (the number stays in the service).
ID_TYPES = (
    "resident_id_card",
    "passport",
    "hk_macao_permit",
    "taiwan_permit",
    "foreign_permanent_residence",
    "hmt_residence_permit",
)
TAX_RESIDENCE = ("resident", "non_resident")
# Whether the fee was agreed before tax (税前: the speaker bears it) or after (税后: the
# organiser bears it, grossing the fee up).
AGREED_AS = ("gross", "net")
MATERIALS = ("photos", "slides", "news", "recording", "new_year_card")
# 9.1.3: the room a guest asks for.
ROOM_TYPES = ("single", "double", "twin", "suite")
# 20.2.4: the car sent for a transfer, with its driver.
VEHICLES = ("sedan", "business_van", "minibus", "coach")
