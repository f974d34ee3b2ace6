import type { User } from "../config/schema.js";
import type { Located } from "../directory.js";
import {
  COWORKERS,
  coworkerAddress,
  MAILBOX_EPOCH,
  type OutlookItem,
  outlookId,
  seed,
  shuffle,
  utcSeconds,
} from "./outlook-item.js";

/** Messages in every generated mailbox. */
const MESSAGES_PER_USER = 12;

const MINUTE = 60_000;

/** The message properties the emulator serves, in Graph's order: all without `$select`. */
export const MESSAGE_PROPERTIES = [
  "id",
  "createdDateTime",
  "receivedDateTime",
  "sentDateTime",
  "hasAttachments",
  "internetMessageId",
  "subject",
  "bodyPreview",
  "importance",
  "conversationId",
  "isRead",
  "isDraft",
  "inferenceClassification",
  "body",
  "sender",
  "from",
  "toRecipients",
  "ccRecipients",
] as const;

interface Mail {
  readonly subject: string;
  readonly preview: string;
  readonly hasAttachments?: boolean;
}

const MAIL: readonly Mail[] = [
  {
    subject: "Quarterly planning: agenda draft",
    preview:
      "Here is the first draft of the agenda for next week's planning session. Please add your topics by Thursday.",
    hasAttachments: true,
  },
  {
    subject: "Expense report approved",
    preview:
      "Your expense report for the Seattle trip has been approved and will be paid with the next payroll run.",
  },
  {
    subject: "Lunch on Friday?",
    preview:
      "A few of us are heading to the new place across the street on Friday around noon. Want to join?",
  },
  {
    subject: "Build pipeline is green again",
    preview:
      "The flaky integration test is fixed and the main branch builds cleanly again. Thanks for the quick review.",
  },
  {
    subject: "Customer feedback summary",
    preview:
      "Attached is the summary of last month's customer interviews, with the five most requested features highlighted.",
    hasAttachments: true,
  },
  {
    subject: "Security training reminder",
    preview:
      "The annual security awareness training is due by the end of the month. It takes about thirty minutes.",
  },
  {
    subject: "Design review moved to 2 pm",
    preview:
      "The design review for the sign-in page moves to 2 pm so that the accessibility team can attend.",
  },
  {
    subject: "Welcome our new intern",
    preview:
      "Please give a warm welcome to our new intern, who joins the engineering team on Monday.",
  },
  {
    subject: "Offsite: hotel rooms",
    preview: "Rooms for the offsite are reserved. Reply with your arrival date if you need one.",
  },
  {
    subject: "Re: API rate limits",
    preview:
      "We hit the throttling limit twice yesterday. I suggest we back off as the Retry-After header says.",
  },
  {
    subject: "Invoice INV-1042 overdue",
    preview:
      "Invoice INV-1042 from Fabrikam is fourteen days overdue. Could you check with the finance team?",
    hasAttachments: true,
  },
  {
    subject: "Slides for the all-hands",
    preview:
      "Here are my slides for Thursday's all-hands. Feedback welcome before Wednesday evening.",
    hasAttachments: true,
  },
  {
    subject: "Parking garage closed on Saturday",
    preview:
      "The parking garage is closed on Saturday for maintenance. Please use the visitor lot.",
  },
  {
    subject: "Your weekly digest",
    preview:
      "Five documents were shared with you this week and two of your meetings have new notes.",
  },
  {
    subject: "Team photo on Tuesday",
    preview:
      "The photographer is booked for Tuesday at 10 am in the atrium. Wear whatever you like.",
  },
  {
    subject: "Contract renewal with Northwind",
    preview: "Northwind's support contract ends next month. Do we renew for one year or three?",
    hasAttachments: true,
  },
];

function importance(byte: number): "low" | "normal" | "high" {
  if (byte % 8 === 0) return "high";
  return byte % 8 === 1 ? "low" : "normal";
}

/**
 * The user's inbox, newest first: the same messages for the same user id on every call, and a
 * different selection, order, senders and times for every user. The newest three, and a few
 * older ones, are unread.
 */
export function messagesOf(located: Located<User>): OutlookItem[] {
  const user = located.value;
  const domain = located.tenant.domain;
  const recipient = { name: user.displayName, address: user.mail ?? user.userPrincipalName };
  const chosen = shuffle(MAIL, `${user.id}\nmail`, (mail) => mail.subject);
  let received = MAILBOX_EPOCH;
  return chosen
    .slice(0, MESSAGES_PER_USER)
    .map(({ subject, preview, hasAttachments = false }, i) => {
      const bytes = seed(user.id, "message", String(i));
      const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = bytes;
      received -= (i === 0 ? b0 % 60 : 20 + (((b0 << 8) | b1) % 400)) * MINUTE;
      const from = coworkerAddress(COWORKERS[b2 % COWORKERS.length] ?? COWORKERS[0], domain);
      const { id, etag } = outlookId("AAMkA", bytes);
      const receivedDateTime = utcSeconds(received);
      return {
        id,
        etag,
        sortKey: receivedDateTime,
        resource: {
          id,
          createdDateTime: receivedDateTime,
          receivedDateTime,
          sentDateTime: utcSeconds(received - (2 + (b3 % 40)) * 1000),
          hasAttachments,
          internetMessageId: `<${bytes.subarray(12, 24).toString("hex")}@${domain}>`,
          subject,
          bodyPreview: preview,
          importance: importance(b3),
          conversationId: `AAQkA${bytes.subarray(16).toString("base64url")}=`,
          isRead: i >= 3 && b1 % 5 !== 0,
          isDraft: false,
          inferenceClassification: b2 % 6 === 0 ? "other" : "focused",
          body: { contentType: "text", content: `${preview}\n\n${from.name.split(" ")[0]}` },
          sender: { emailAddress: from },
          from: { emailAddress: from },
          toRecipients: [{ emailAddress: recipient }],
          ccRecipients: [],
        } satisfies Record<(typeof MESSAGE_PROPERTIES)[number], unknown>,
      };
    });
}
