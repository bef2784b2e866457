"""The values budget's event fields take: one list each, shared by the service, its
subscribers and the checklist rules that filter on them. Extend a list at its end."""

# Sponsorship levels of the packages. `in_kind` is kept as a level for packages paid in
# goods or services only; how a sponsor pays is `form` (cash, in kind, or both).
LEVELS = ("title", "platinum", "gold", "silver", "bronze", "partner", "in_kind")
# Budget lines, for income and for expense.
LINES = (
    "registration",
    "sponsorship",
    "venue",
    "av",
    "interpreting",
    "printing",
    "transport",
    "catering",
    "accommodation",
    "speakers",
    "marketing",
    "staffing",
    "other",
    "contributions",
    "insurance",
    "photography",
    "decoration",
    "payment_fees",
)
# What a line's budget is subject to an overrun warning on: a line, or the whole budget.
OVERRUN_SUBJECTS = (*LINES, "total")
# What a budget line is priced per: a ticket sold, an attendee, a speaker.
UNITS = ("ticket", "attendee", "speaker")
# What a budget covers: the conference, the themed evening (4.1.3), the tours (20.3).
SCOPES = ("conference", "themed_event", "tour")
# 2.2.4 and 2.2.5: costs that follow the headcount, and those that do not.
COST_BEHAVIOURS = ("fixed", "variable")
REVISION_REASONS = ("headcount", "overrun", "income", "scope")
INCOME_SOURCES = ("registration", "sponsorship", "contribution", "grant", "other")
# 2.1.5: who shares the costs besides the host: co-organisers (联合单位) and supporters
# (支持单位).
PARTNER_ROLES = ("co_organiser", "supporter")
# 2.1.6: what an in-kind sponsor or partner gives.
IN_KIND = ("venue", "media", "goods", "staff", "services")
SPONSOR_FORMS = ("cash", "in_kind", "mixed")
CONTACT_CHANNELS = ("letter", "email", "call", "visit", "wechat")
LANGUAGES = ("zh", "en", "ja", "ko", "fr", "de", "es", "ru", "ar")
# What a package gives a sponsor, delivered one by one (5.2.5 lists them online).
BENEFITS = (
    "logo",
    "booth",
    "speaking_slot",
    "passes",
    "naming",
    "programme_ad",
    "bag_insert",
    "media",
    "website",
    "other",
)
PAYMENT_METHODS = ("bank_transfer", "wechat_pay", "alipay", "card", "cash")
# Chinese contracts are paid in instalments: a deposit (定金/预付款), progress payments,
# the final balance (尾款) against the final statement; or in one go.
VENDOR_PAYMENT_KINDS = ("deposit", "progress", "final", "full")
# 8.4.2: how a vendor's bank details were confirmed before the first payment.
VERIFICATION_METHODS = ("phone_callback", "contract", "bank_letter", "test_transfer")
# 9.2.1, 14.2.3: cash drawn ahead for what is paid on the spot.
ADVANCE_PURPOSES = ("honoraria", "petty_cash", "onsite_purchases", "volunteer_allowances")
SETTLEMENT_RESULTS = ("surplus", "deficit", "balanced")
