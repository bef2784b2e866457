"""The registration service: fee schedules, orders, payments, refunds and attendees over
HTTP, events on `registration.events`."""

from __future__ import annotations

from nameko.web.handlers import http

from services.common.http import command, file_response, query
from services.common.providers import Use, every
from services.common.service import HuiwuService
from services.policy import Target

from . import attendee_sheet
from . import onsite_schemas as o
from . import schemas as s


class Service(HuiwuService):
    name = "registration"
    registration = Use("registration")
    expiry = Use("expiry")
    attendance = Use("attendance")

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
