"""The values registration's event fields take: one list each, shared by the service, its
subscribers and the checklist rules that filter on them. Extend a list at its end."""

# Who an attendee is. `delegate` is a paying participant: the attendance targets
# (10.3.5, 21.8.3) count delegates only, not staff, press or speakers.
CATEGORIES = (
    "delegate",
    "student",
    "speaker",
    "sponsor",
    "press",
    "staff",
    "guest",
    "vip",
    "exhibitor",
    "volunteer",
)
# Where registration is open: online (website, WeChat) or at the desk on site.
REGISTRATION_CHANNELS = ("online", "onsite")
# Where an order was taken: the two above, by phone (telesales, 10.3.5), or keyed in by
# staff (a group's list sent by email, a partner's delegation).
SALES_CHANNELS = ("online", "onsite", "telesales", "back_office")
# card: a bank card at the desk (POS); bank_transfer: an organisation's transfer
# (对公转账), matched to its order by hand.
PAYMENT_METHODS = ("wechat_pay", "alipay", "unionpay", "card", "bank_transfer", "cash")
# An organisation buys for a group (团体报名) and is then the fapiao's buyer.
BUYER_KINDS = ("individual", "organisation")
# Where a fapiao stands: asked for, issued, handed to the buyer, reversed (red-letter).
FAPIAO_STATES = ("requested", "issued", "handed_over", "reversed", "withdrawn")
# 1.1.4: the seniority the conference aims at.
SENIORITIES = ("executive", "director", "manager", "professional", "academic", "student", "other")
# PIPL (个人信息保护法) asks a separate consent (单独同意) for sensitive information, for
# sending data abroad and for giving it to another handler (a sponsor, a partner).
CONSENTS = (
    "personal_information",
    "sensitive_information",
    "cross_border_transfer",
    "third_party_sharing",
    "photography",
    "marketing",
)
CLOSE_REASONS = ("deadline", "sold_out", "decision")
# pretix's voucher price modes: free, a set price, an amount off, a percentage off.
PRICE_MODES = ("free", "set", "subtract", "percent")
VOUCHER_PURPOSES = ("speaker", "sponsor", "press", "partner", "staff", "waitlist", "promotion")
CANCELLED_BY = ("attendee", "organiser")
REFUND_REASONS = (
    "attendee_cancelled",
    "order_denied",
    "event_changed",
    "event_cancelled",
    "duplicate_payment",
    "overpayment",
    "other",
)
# As pretix records where a refund started: asked by the buyer, decided by the organiser,
# or found at the payment provider (a chargeback, a refund made there).
REFUND_SOURCES = ("buyer", "organiser", "provider")
BADGE_REPRINT_REASONS = ("lost", "name_corrected", "substitution", "damaged")
CHECKIN_METHODS = ("qr_code", "id_card", "name_lookup")
KIT_ITEMS = (
    "badge",
    "bag",
    "programme",
    "fapiao",
    "meal_vouchers",
    "interpreting_receiver",
    "gift",
)
# What a fapiao bills, as its goods-and-services line reads (会议费, 培训费, 会展费...).
FAPIAO_ITEMS = ("conference_fee", "training_fee", "exhibition_fee", "accommodation", "catering")
FAPIAO_DELIVERY = ("email", "wechat", "onsite", "post")
SURVEY_STAGES = ("onsite", "post_event")
MAILING_KINDS = (
    "promotion",
    "enewsletter",
    "confirmation",
    "reminder",
    "thank_you",
    "materials",
    "survey",
)
MAILING_MEDIA = ("email", "wechat", "sms", "post")
AUDIENCES = ("attendees", "prospects", "past_attendees", "partners")
CONTACT_CHANNELS = ("email", "phone", "wechat", "website", "onsite")
TOPICS = (
    "registration",
    "payment",
    "fapiao",
    "programme",
    "venue",
    "accommodation",
    "catering",
    "transport",
    "other",
)
RESOLUTIONS = ("explained", "fixed", "refunded", "compensated", "declined")
