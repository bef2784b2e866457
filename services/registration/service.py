"""The registration service: fee schedules, orders, payments, refunds and attendees over
HTTP, events on `registration.events`."""

from __future__ import annotations

from nameko.web.handlers import http

from services.common.http import command, file_response, query
from services.common.providers import Use, every
from services.common.service import HuiwuService
from services.common.webhooks import signed
from services.policy import Target

from . import attendee_sheet, bank_statement
from . import fapiao_schemas as fs
from . import follow_up_schemas as f
from . import onsite_schemas as o
from . import reconcile_schemas as rc
from . import schemas as s


class Service(HuiwuService):
    name = "registration"
    registration = Use("registration")
    expiry = Use("expiry")
    fapiao = Use("fapiao")
    payments = Use("payments")
    webhook_secrets = Use("webhook_secrets")
    targets = Use("targets")
    follow_up = Use("follow_up")
    attendance = Use("attendance")
    reconciliation = Use("reconciliation")

    # -- set-up of a conference ---------------------------------------------------------
    @http("POST", "/conferences/<string:conference_id>/fees")
    @command("SetFeeSchedule", s.SetFeeScheduleSchema, s.SetupChangedAnswer)
    def set_fee_schedule(self, cmd, ctx, conference_id):
        """{"categories": [{"category": "delegate", "ticket_type": "full", "label": "全程",
        "price_minor": 280000, "currency": "CNY", "tax_rate_bp": 600, "quota": 300}]}"""
        return self.registration.set_fee_schedule(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/registration/open")
    @command("OpenRegistration", s.OpenRegistrationSchema, s.SetupChangedAnswer)
    def open_registration(self, cmd, ctx, conference_id):
        """{"channel": "online", "payment_methods": ["wechat_pay", "bank_transfer"]}"""
        return self.registration.open_registration(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/registration/close")
    @command("CloseRegistration", s.CloseRegistrationSchema, s.SetupChangedAnswer)
    def close_registration(self, cmd, ctx, conference_id):
        """{"channel": "online", "reason": "deadline"}"""
        return self.registration.close_registration(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/registration/targets")
    @command("SetRegistrationTargets", s.SetRegistrationTargetsSchema, s.SetupChangedAnswer)
    def set_targets(self, cmd, ctx, conference_id):
        """{"targets": [{"by": "2027-03-01", "registered": 200}], "warn_below_percent": 80}"""
        return self.registration.set_targets(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/registration/targets/check")
    @command("CheckRegistrationTarget", s.CheckRegistrationTargetSchema, s.TargetCheckAnswer)
    def check_target(self, cmd, ctx, conference_id):
        """{}: now what the timer does: the current target against the registrations paid
        for; RegistrationBelowTarget once if under its share."""
        return self.targets.check(conference_id, ctx)

    @every("target_check_interval")
    def target_timer(self):
        """Check every conference's current registration target."""
        self.targets.tick()

    @http("POST", "/conferences/<string:conference_id>/refund-policy")
    @command("SetRefundPolicy", s.SetRefundPolicySchema, s.SetupChangedAnswer)
    def set_refund_policy(self, cmd, ctx, conference_id):
        """{"full_refund_until": "2027-04-01", "partial_refund_until": "2027-05-01",
        "partial_refund_percent": 50, "substitution_until": "2027-05-10"}"""
        return self.registration.set_refund_policy(conference_id, cmd, ctx)

    @http("GET", "/conferences/<string:conference_id>/registration")
    @query("GetRegistrationSetup", answer=s.SetupAnswer)
    def get_setup(self, conference_id):
        return self.registration.setup(conference_id)

    @http("POST", "/conferences/<string:conference_id>/payment-channels/<string:channel>/test")
    @command("TestPaymentChannel", rc.TestPaymentChannelSchema, rc.ChannelTestedAnswer)
    def test_payment_channel(self, cmd, ctx, conference_id, channel):
        """{"amount_minor": 1, "currency": "CNY", "payment_reference": "4200001234...",
        "refund_reference": "5030001234..."}: a real payment through the live channel and
        its refund (10.1.6)."""
        return self.registration.test_payment_channel(conference_id, channel, cmd, ctx)

    # -- reconciliation after the event (23.1.3) ----------------------------------------
    @http("POST", "/conferences/<string:conference_id>/orders/<string:order_id>/reconcile")
    @command("ReconcileOrder", rc.ReconcileOrderSchema, rc.ReconciledOrderAnswer)
    def reconcile_order(self, cmd, ctx, conference_id, order_id):
        """{}: the order's figures; OrderReconciled when they changed since the last."""
        return self.registration.reconcile_order(conference_id, order_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/reconcile")
    @command("ReconcileOrders", rc.ReconcileOrdersSchema, rc.ReconciliationAnswer)
    def reconcile_orders(self, cmd, ctx, conference_id):
        """{}: every order placed and not expired or denied, reconciled."""
        return self.reconciliation.reconcile(conference_id, ctx)

    # -- orders -------------------------------------------------------------------------
    @http("POST", "/orders")
    @command("PlaceOrder", s.PlaceOrderSchema, s.OrderAnswer, status=201)
    def place_order(self, cmd, ctx):
        """{"conference_id": "...", "buyer_kind": "individual", "buyer_name": "王磊",
        "attendees": [{"ticket_type": "full", "person": {"name": "王磊",
        "email": "wang@example.cn", "consents": ["personal_information"],
        "consent": {"version": "2027-01", "wording": "..."}}}]}"""
        return self.registration.place_order(cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/attendees/import")
    @command(
        "ImportAttendees",
        s.ImportAttendeesSchema,
        s.ImportedAttendeesAnswer,
        status=201,
        caller="query",
        max_body=attendee_sheet.MAX_BYTES,
    )
    def import_attendees(self, cmd, ctx, sheet, conference_id):
        """Body: a CSV (UTF-8) or an XLSX, a header row then one attendee per row; query:
        consent_version and consent_sha256. Each row becomes an order of one attendee; if
        any row does not fit, 400 lists each by row, column and reason, and nothing is
        stored."""
        return self.registration.import_attendees(conference_id, sheet, cmd, ctx)

    @http("GET", "/orders/<string:order_id>")
    @query("GetOrder", answer=s.OrderWithAttendeesAnswer, scope="order_scope")
    def get_order(self, order_id):
        return self.registration.order_view(order_id)

    @http("POST", "/orders/<string:order_id>/approve")
    @command("ApproveOrder", s.ApproveOrderSchema, s.OrderAnswer, scope="order_scope")
    def approve_order(self, cmd, ctx, order_id):
        """{} (optionally {"approved_by": "李娜"})"""
        return self.registration.approve_order(order_id, cmd, ctx)

    @http("POST", "/orders/<string:order_id>/deny")
    @command("DenyOrder", s.DenyOrderSchema, s.OrderAnswer, scope="order_scope")
    def deny_order(self, cmd, ctx, order_id):
        """{"reason": "not a student"}"""
        return self.registration.deny_order(order_id, cmd, ctx)

    @http("POST", "/orders/<string:order_id>/payments")
    @command("RecordPayment", s.RecordPaymentSchema, s.OrderAnswer, scope="order_scope")
    def record_payment(self, cmd, ctx, order_id):
        """{"method": "bank_transfer", "amount_minor": 280000, "currency": "CNY",
        "received_on": "2027-03-02"}"""
        return self.registration.record_payment(order_id, cmd, ctx)

    @http("POST", "/orders/<string:order_id>/refunds")
    @command("RequestRefund", s.RequestRefundSchema, s.OrderAnswer, scope="order_scope")
    def request_refund(self, cmd, ctx, order_id):
        """{"amount_minor": 10000, "reason": "overpayment"}"""
        return self.registration.request_refund(order_id, cmd, ctx)

    @http("POST", "/orders/<string:order_id>/refunds/<string:refund_id>/complete")
    @command("CompleteRefund", s.CompleteRefundSchema, s.OrderAnswer, scope="order_scope")
    def complete_refund(self, cmd, ctx, order_id, refund_id):
        """{"method": "bank_transfer", "completed_on": "2027-03-05"}"""
        return self.registration.complete_refund(order_id, refund_id, cmd, ctx)

    @http("POST", "/orders/<string:order_id>/cancel")
    @command("CancelOrder", s.CancelOrderSchema, s.OrderAnswer, scope="order_scope")
    def cancel_order(self, cmd, ctx, order_id):
        """{"reason": "cannot travel", "cancelled_by": "attendee"}"""
        return self.registration.cancel_order(order_id, cmd, ctx)

    @http("POST", "/orders/expire-due")
    @command("ExpireOrders", s.ExpireOrdersSchema, s.ExpiredAnswer)
    def expire_orders(self, cmd, ctx):
        """{}: now what the timer does: expire the unpaid orders past their expires_at,
        lapse the waiting-list offers past theirs, offer the freed places."""
        return self.expiry.run(ctx)

    @every("order_expiry_interval")
    def expiry_timer(self):
        """Expire, lapse and offer, every conference's."""
        self.expiry.tick()

    # -- money from outside -------------------------------------------------------------
    @http("POST", "/conferences/<string:conference_id>/payments/bank-statement")
    @command(
        "ImportBankStatement",
        answer=s.BankStatementAnswer,
        caller="query",
        max_body=bank_statement.MAX_BYTES,
    )
    def import_bank_statement(self, cmd, ctx, statement, conference_id):
        """Body: a bank statement, CSV (UTF-8 or GB18030) or XLSX, a line per transfer.
        Each line that names one order's payment reference is recorded on it; the others
        are reported line by line with why (docs/registration.md)."""
        return self.payments.import_statement(conference_id, statement, ctx)

    @http("POST", "/payments/webhook/<string:provider>")
    @signed(
        "ReceivePaymentNotification",
        s.PaymentNotificationSchema,
        s.PaymentNotificationAnswer,
        secrets="webhook_secrets",
    )
    def receive_payment_notification(self, cmd, ctx, provider):
        """No token: signed by the provider (X-Huiwu-Timestamp, X-Huiwu-Signature; see
        docs/registration.md). {"reference": "HWFACVV1MD", "amount_minor": 280000,
        "currency": "CNY", "transaction_id": "4200001234202703021234567890",
        "paid_at": "2027-03-02T10:15:00+08:00"}: recorded on the order of that payment
        reference, once however often it is sent."""
        return self.payments.notify(provider, cmd, ctx)

    # -- vouchers and the waiting list ----------------------------------------------------
    @http("POST", "/conferences/<string:conference_id>/vouchers")
    @command("IssueVoucher", s.IssueVoucherSchema, s.VoucherAnswer, status=201)
    def issue_voucher(self, cmd, ctx, conference_id):
        """{"purpose": "speaker", "price_mode": "free", "max_usages": 1,
        "ticket_type": "full"}: the answer holds the code, shown this once."""
        return self.registration.issue_voucher(conference_id, cmd, ctx)

    @http("POST", "/waitlist")
    @command("JoinWaitlist", s.JoinWaitlistSchema, s.WaitlistEntryFields, status=201)
    def join_waitlist(self, cmd, ctx):
        """{"conference_id": "...", "ticket_type": "workshop", "person": {"name": "李娜",
        "email": "li@example.cn", "consents": ["personal_information"],
        "consent": {"version": "2027-01", "wording": "..."}}}"""
        return self.registration.join_waitlist(cmd, ctx)

    @http("GET", "/waitlist/<string:entry_id>")
    @query("GetWaitlistEntry", answer=s.WaitlistEntryAnswer, scope="entry_scope")
    def get_waitlist_entry(self, entry_id):
        return self.registration.waitlist_entry(entry_id)

    # -- attendees ----------------------------------------------------------------------
    @http("GET", "/attendees/<string:attendee_id>")
    @query("GetAttendee", answer=s.AttendeeAnswer, scope="attendee_scope")
    def get_attendee(self, attendee_id):
        return self.registration.attendee(attendee_id)

    @http("POST", "/attendees/<string:attendee_id>/substitute")
    @command(
        "SubstituteAttendee",
        s.SubstituteAttendeeSchema,
        s.AttendeeAnswer,
        scope="attendee_scope",
    )
    def substitute_attendee(self, cmd, ctx, attendee_id):
        """{"person": {"name": "李娜", "email": "li@example.cn",
        "consents": ["personal_information"], "consent": {"version": "2027-01",
        "wording": "..."}}, "reason": "colleague goes instead"}"""
        return self.registration.substitute_attendee(attendee_id, cmd, ctx)

    # -- fapiao (docs/registration.md, "Fapiao") ------------------------------------------
    @http("POST", "/conferences/<string:conference_id>/orders/<string:order_id>/fapiao")
    @command("RequestFapiao", fs.RequestFapiaoSchema, fs.FapiaoAnswer, status=201)
    def request_fapiao(self, cmd, ctx, conference_id, order_id):
        """{"fapiao_type": "vat_special", "buyer_name": "上海某某科技有限公司",
        "buyer_tax_id": "91310000MA1FL0A29K", "buyer_address": "上海市浦东新区…",
        "buyer_phone": "021-12345678", "buyer_bank": "招商银行上海分行",
        "buyer_account": "121900000000001"} (amount_minor: all still to invoice)"""
        return self.registration.request_fapiao(conference_id, order_id, cmd, ctx)

    @http("GET", "/conferences/<string:conference_id>/orders/<string:order_id>/fapiao")
    @query("ListOrderFapiao", answer=fs.FapiaoListAnswer)
    def list_order_fapiao(self, conference_id, order_id):
        return self.registration.order_fapiao_view(conference_id, order_id)

    @http("GET", "/conferences/<string:conference_id>/fapiao")
    @query("ListFapiao", fs.ListFapiaoSchema, fs.FapiaoListAnswer)
    def list_fapiao(self, query, conference_id):
        """?state=requested|issued|handed_over|reversed"""
        return self.fapiao.list(conference_id, query.state)

    @http("GET", "/conferences/<string:conference_id>/fapiao/<string:fapiao_id>")
    @query("GetFapiao", answer=fs.FapiaoAnswer)
    def get_fapiao(self, conference_id, fapiao_id):
        return self.registration.fapiao(conference_id, fapiao_id)

    @http("POST", "/conferences/<string:conference_id>/fapiao/<string:fapiao_id>/issue")
    @command("IssueFapiao", fs.IssueFapiaoSchema, fs.FapiaoAnswer)
    def issue_fapiao(self, cmd, ctx, conference_id, fapiao_id):
        """{"fapiao_number": "25312000000012345678", "medium": "digital",
        "issued_on": "2027-03-05"}"""
        return self.registration.issue_fapiao(conference_id, fapiao_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/fapiao/<string:fapiao_id>/hand-over")
    @command("HandOverFapiao", fs.HandOverFapiaoSchema, fs.FapiaoAnswer)
    def hand_over_fapiao(self, cmd, ctx, conference_id, fapiao_id):
        """{"how": "onsite", "handed_on": "2027-05-20", "signed_for": true,
        "handed_to": "王磊"}"""
        return self.registration.hand_over_fapiao(conference_id, fapiao_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/fapiao/<string:fapiao_id>/withdraw")
    @command("WithdrawFapiao", fs.WithdrawFapiaoSchema, fs.FapiaoAnswer)
    def withdraw_fapiao(self, cmd, ctx, conference_id, fapiao_id):
        """{"reason": "买方改为开具专票"}: a request not yet issued; its money may be
        invoiced again."""
        return self.registration.withdraw_fapiao(conference_id, fapiao_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/fapiao/<string:fapiao_id>/reverse")
    @command("ReverseFapiao", fs.ReverseFapiaoSchema, fs.FapiaoAnswer)
    def reverse_fapiao(self, cmd, ctx, conference_id, fapiao_id):
        """{"red_fapiao_number": "25312000000012345679", "reason": "refund",
        "reversed_on": "2027-05-25"}"""
        return self.registration.reverse_fapiao(conference_id, fapiao_id, cmd, ctx)

    # -- follow-up: surveys, mailings, inquiries, complaints -----------------------------
    @http("POST", "/conferences/<string:conference_id>/surveys")
    @command("PublishSurvey", f.PublishSurveySchema, f.SurveyAnswer, status=201)
    def publish_survey(self, cmd, ctx, conference_id):
        """{"stage": "post_event", "title": "会后满意度调查", "questions": [{"text":
        "会议整体安排", "kind": "rating"}, {"text": "改进建议", "kind": "text"}]}"""
        return self.registration.publish_survey(conference_id, cmd, ctx)

    @http("GET", "/surveys/<string:survey_id>")
    @query("GetSurvey", answer=f.SurveyAnswer, scope="survey_scope")
    def get_survey(self, survey_id):
        return self.registration.survey(survey_id)

    @http("POST", "/surveys/<string:survey_id>/responses")
    @command(
        "RecordSurveyResponse",
        f.RecordSurveyResponseSchema,
        f.ResponseAnswer,
        status=201,
        scope="survey_scope",
    )
    def record_response(self, cmd, ctx, survey_id):
        """{"attendee_id": "...", "overall_score": 4, "answers": [{"question": 1,
        "rating": 5}, {"question": 2, "text": "茶歇时间再长一些"}]}: once per attendee."""
        return self.registration.record_response(survey_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/mailings")
    @command("RecordMailing", f.RecordMailingSchema, f.MailingAnswer, status=201)
    def record_mailing(self, cmd, ctx, conference_id):
        """{"kind": "thank_you", "medium": "email", "audience": "attendees",
        "recipients": 480}"""
        return self.registration.record_mailing(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/inquiries")
    @command("RecordInquiry", f.RecordContactSchema, f.InquiryAnswer, status=201)
    def record_inquiry(self, cmd, ctx, conference_id):
        """{"channel": "wechat", "topic": "fapiao", "summary": "能否开专票?"}"""
        return self.registration.record_inquiry(conference_id, cmd, ctx)

    @http("GET", "/inquiries/<string:inquiry_id>")
    @query("GetInquiry", answer=f.InquiryAnswer, scope="inquiry_scope")
    def get_inquiry(self, inquiry_id):
        return self.registration.inquiry(inquiry_id)

    @http("POST", "/inquiries/<string:inquiry_id>/answer")
    @command("AnswerInquiry", f.AnswerInquirySchema, f.InquiryAnswer, scope="inquiry_scope")
    def answer_inquiry(self, cmd, ctx, inquiry_id):
        """{"answer": "可以, 请提供税号"} (answered_at: now unless given)"""
        return self.registration.answer_inquiry(inquiry_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/complaints")
    @command("RecordComplaint", f.RecordContactSchema, f.ComplaintAnswer, status=201)
    def record_complaint(self, cmd, ctx, conference_id):
        """{"channel": "onsite", "topic": "catering", "summary": "午餐排队太久"}"""
        return self.registration.record_complaint(conference_id, cmd, ctx)

    @http("GET", "/complaints/<string:complaint_id>")
    @query("GetComplaint", answer=f.ComplaintAnswer, scope="complaint_scope")
    def get_complaint(self, complaint_id):
        return self.registration.complaint(complaint_id)

    @http("POST", "/complaints/<string:complaint_id>/resolve")
    @command(
        "ResolveComplaint", f.ResolveComplaintSchema, f.ComplaintAnswer, scope="complaint_scope"
    )
    def resolve_complaint(self, cmd, ctx, complaint_id):
        """{"resolution": "fixed", "note": "增开两个取餐点"}"""
        return self.registration.resolve_complaint(complaint_id, cmd, ctx)

    @http("GET", "/conferences/<string:conference_id>/follow-up")
    @query("GetFollowUp", answer=f.FollowUpAnswer)
    def get_follow_up(self, conference_id):
        """Per conference: each survey's responses and average score, mailings by kind
        and audience, inquiries and complaints received, handled and open."""
        return self.follow_up.summary(conference_id)

    # -- on site (docs/registration.md#on-site) ------------------------------------------
    @http("GET", "/attendees/<string:attendee_id>/checkin-code")
    @command(
        "GetCheckinCode",
        answer=o.CheckinCodeAnswer,
        caller="query",
        file_body=False,
        scope="attendee_scope",
    )
    def get_checkin_code(self, cmd, ctx, _body, attendee_id):
        """The code of the QR on the attendee's badge, for the staff who print or scan; the
        first code of a conference makes its key (CheckInCodesKeyed, by this caller)."""
        return self.registration.checkin_code(attendee_id, ctx)

    @http("POST", "/conferences/<string:conference_id>/checkin-key/rotate")
    @command("RotateCheckinKey", o.RotateCheckinKeySchema, o.CheckinKeyAnswer)
    def rotate_checkin_key(self, cmd, ctx, conference_id):
        """{"reason": "a desk's badge list was lost"}: a new key version (CheckInKeyRotated);
        codes made with an older key are refused at scan, so their badges are reprinted;
        check-ins already stored stay."""
        return self.registration.rotate_checkin_key(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/checkins")
    @command("CheckIn", o.CheckInSchema, o.CheckInAnswer)
    def check_in(self, cmd, ctx, conference_id):
        """{"code": "...", "desk": "east-2", "day": "2027-05-12",
        "scanned_at": "2027-05-12T08:31:05+08:00"}: once per attendee and day; a second
        scan answers already_checked_in with the desk and time of the first."""
        return self.registration.check_in(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/checkins/batch")
    @command("UploadCheckIns", o.UploadCheckInsSchema, o.CheckInBatchAnswer)
    def upload_check_ins(self, cmd, ctx, conference_id):
        """{"desk": "east-2", "scans": [{"code": "...", "day": "2027-05-12",
        "scanned_at": "2027-05-12T08:31:05+08:00", "scan_id": "e2-0001"}]}: good lines
        stored, bad ones listed by index; the earliest scan of an attendee's day wins."""
        return self.registration.check_in_batch(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/attendees/<string:attendee_id>/kit")
    @command("CollectKit", o.CollectKitSchema, o.KitAnswer)
    def collect_kit(self, cmd, ctx, conference_id, attendee_id):
        """{"items": ["bag", "programme"], "desk": "east-2"}: once per attendee."""
        return self.registration.collect_kit(conference_id, attendee_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/attendance/compile")
    @command("CompileAttendance", o.CompileAttendanceSchema, o.AttendanceAnswer, status=201)
    def compile_attendance(self, cmd, ctx, conference_id):
        """{"final": true} once the conference is over; {} for a day's figures."""
        return self.attendance.compile(conference_id, cmd, ctx)

    @http("GET", "/conferences/<string:conference_id>/badges.pdf")
    @command(
        "PrintBadges",
        o.PrintBadgesSchema,
        caller="query",
        media_type="application/pdf",
        file_body=False,
    )
    def print_badges(self, cmd, ctx, _body, conference_id):
        """Query: optionally ticket_type or category. The badges as a PDF, one A6 badge per
        page, recorded as printed (BadgesPrinted, BadgePrinted per attendee)."""
        pdf = self.attendance.badges(conference_id, cmd, ctx)
        return file_response(pdf, "application/pdf", "badges.pdf")

    # -- what a request is about, for the policy ----------------------------------------
    def order_scope(self, order_id, **_):
        return Target(self.registration.order(order_id).conference_id)

    def attendee_scope(self, attendee_id, **_):
        return Target(self.registration.attendee(attendee_id).conference_id)

    def entry_scope(self, entry_id, **_):
        return Target(self.registration.waitlist_entry(entry_id)["entry"].conference_id)

    def survey_scope(self, survey_id, **_):
        return Target(self.registration.survey(survey_id).conference_id)

    def inquiry_scope(self, inquiry_id, **_):
        return Target(self.registration.inquiry(inquiry_id).conference_id)

    def complaint_scope(self, complaint_id, **_):
        return Target(self.registration.complaint(complaint_id).conference_id)
