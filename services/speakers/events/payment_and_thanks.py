"""Paying and thanking a speaker (aggregate: the speaker): the honorarium with the income
tax withheld on it, gifts, thanks, what is sent after the event, their feedback."""

from marshmallow import ValidationError, fields, validate, validates_schema

from services.common.fields import currency, day, money_minor
from services.common.planned import PlannedEvent, flag, many_of, one_of

from .vocabulary import AGREED_AS, ID_TYPES, MATERIALS, TAX_RESIDENCE


class HonorariumPaid(PlannedEvent):
    """The speaker's fee was paid and signed for (9.3.4). `amount_minor` is what reached
    them (net); the payer withholds individual income tax (个人所得税, 劳务报酬) and files
    it under the payee's ID, so `gross_minor` and `iit_withheld_minor` say how the net
    came about: net = gross - withheld."""

    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    gross_minor = money_minor()
    iit_withheld_minor = money_minor()
    agreed_as = one_of(*AGREED_AS, required=False)
    payee_id_type = one_of(*ID_TYPES, required=False)
    tax_residence = one_of(*TAX_RESIDENCE, required=False)
    method = one_of("bank_transfer", "cash", required=False)
    paid_on = day()
    receipt_signed = flag()

    @validates_schema
    def _net_is_gross_less_tax(self, data, **kwargs):
        gross, withheld = data.get("gross_minor"), data.get("iit_withheld_minor")
        if (gross is None) != (withheld is None):
            missing = "iit_withheld_minor" if withheld is None else "gross_minor"
            raise ValidationError("is required with the other one of gross and tax", missing)
        if gross is None:
            return
        if withheld > gross:
            raise ValidationError("must not exceed gross_minor", "iit_withheld_minor")
        if data.get("amount_minor") != gross - withheld:
            raise ValidationError(
                f"must be gross_minor - iit_withheld_minor = {gross - withheld}", "amount_minor"
            )
        if withheld and not data.get("payee_id_type"):
            raise ValidationError("is required when tax was withheld", "payee_id_type")


class GiftDelivered(PlannedEvent):
    """A gift was handed to the speaker or VIP, against signature (9.3.5)."""

    signed_for = flag()


class ThankYouSent(PlannedEvent):
    """A thank-you letter was sent to the speaker (9.4.1, 23.2.1)."""

    channel = one_of("email", "letter", "wechat", required=False)


class MaterialsSent(PlannedEvent):
    """Something was sent to the speaker after the event: photos (23.2.2), a New Year card
    (23.2.4). `kind` is what was sent, or, when one mailing sends several things, the
    main one; `contents` lists them all, `kind` among them: the photos, slides and news of
    the post-event follow-up (9.4.3)."""

    kind = one_of(*MATERIALS)
    contents = many_of(MATERIALS)

    @validates_schema
    def _kind_is_among_the_contents(self, data, **kwargs):
        contents = data.get("contents")
        if contents is not None and data.get("kind") not in contents:
            raise ValidationError("must include kind", "contents")


class SpeakerFeedbackReceived(PlannedEvent):
    """The speaker answered the post-event survey (23.2.3); 1 (poor) to 5 (excellent)."""

    overall_score = fields.Integer(strict=True, validate=validate.Range(min=1, max=5))


TYPES = {
    "HonorariumPaid": HonorariumPaid,
    "GiftDelivered": GiftDelivered,
    "ThankYouSent": ThankYouSent,
    "MaterialsSent": MaterialsSent,
    "SpeakerFeedbackReceived": SpeakerFeedbackReceived,
}
