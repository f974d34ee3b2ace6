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
} from "./outlook-item.js";

/** Events in every generated calendar: spread over the ten working days from the epoch. */
const EVENTS_PER_USER = 12;

const DAY = 86_400_000;
const MINUTE = 60_000;

/** The event properties the emulator serves, in Graph's order: all without `$select`. */
export const EVENT_PROPERTIES = [
  "id",
  "subject",
  "bodyPreview",
  "importance",
  "isAllDay",
  "isCancelled",
  "isOrganizer",
  "isOnlineMeeting",
  "onlineMeetingProvider",
  "showAs",
  "start",
  "end",
  "location",
  "organizer",
  "onlineMeeting",
] as const;

interface Meeting {
  readonly subject: string;
  readonly preview: string;
  readonly minutes: number;
}

const MEETINGS: readonly Meeting[] = [
  { subject: "Weekly team sync", preview: "Status, blockers and plans for the week.", minutes: 30 },
  {
    subject: "Sprint planning",
    preview: "Bring your estimates for the top ten items.",
    minutes: 90,
  },
  {
    subject: "Design review: sign-in page",
    preview: "Walk-through of the new layout.",
    minutes: 60,
  },
  {
    subject: "Customer call: Fabrikam",
    preview: "Renewal and their single sign-on rollout.",
    minutes: 60,
  },
  {
    subject: "Lunch and learn: OAuth 2.0",
    preview: "Authorization codes, PKCE and refresh tokens.",
    minutes: 60,
  },
  {
    subject: "All-hands",
    preview: "Quarterly results and questions to the leadership team.",
    minutes: 60,
  },
  { subject: "Interview: frontend engineer", preview: "Second round, system design.", minutes: 60 },
  { subject: "Retrospective", preview: "What went well, what to change.", minutes: 60 },
  { subject: "Budget review", preview: "Next quarter's budget, line by line.", minutes: 30 },
  { subject: "Coffee chat", preview: "No agenda.", minutes: 30 },
  {
    subject: "Security champions",
    preview: "This month: token handling in web apps.",
    minutes: 30,
  },
  { subject: "Release readiness", preview: "Go or no-go for Thursday's release.", minutes: 30 },
  { subject: "Office move planning", preview: "Seating plan for the fourth floor.", minutes: 60 },
  { subject: "Roadmap brainstorm", preview: "Ideas for the second half of the year.", minutes: 90 },
];

const ROOMS = ["Conf Room Adams", "Conf Room Baker", "Conf Room Crystal", "Conf Room Rainier"];

/** Graph's event times: UTC without a zone suffix, to seven decimals, beside `timeZone: "UTC"`. */
function eventTime(ms: number): { dateTime: string; timeZone: "UTC" } {
  return { dateTime: `${new Date(ms).toISOString().slice(0, 19)}.0000000`, timeZone: "UTC" };
}

/**
 * The user's calendar, earliest first: meetings on the ten working days from the epoch, between
 * 9:00 and 17:00 UTC, the same for the same user id on every call and different for every user.
 */
export function eventsOf(located: Located<User>): OutlookItem[] {
  const user = located.value;
  const domain = located.tenant.domain;
  const self = { name: user.displayName, address: user.mail ?? user.userPrincipalName };
  const chosen = shuffle(MEETINGS, `${user.id}\ncalendar`, (meeting) => meeting.subject);
  const events = chosen.slice(0, EVENTS_PER_USER).map(({ subject, preview, minutes }, i) => {
    const bytes = seed(user.id, "event", String(i));
    const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = bytes;
    const workday = Math.floor((i * 10) / EVENTS_PER_USER);
    // Skip the weekend after the first five working days.
    const day = workday + (workday >= 5 ? 2 : 0);
    const start = MAILBOX_EPOCH + day * DAY + (b0 % 14) * 30 * MINUTE;
    const online = b1 % 3 !== 0;
    const organizedBySelf = b2 % 4 === 0;
    const organizer = organizedBySelf
      ? self
      : coworkerAddress(COWORKERS[b3 % COWORKERS.length] ?? COWORKERS[0], domain);
    const { id, etag } = outlookId("AAMkAGI", bytes);
    const startTime = eventTime(start);
    return {
      id,
      etag,
      sortKey: startTime.dateTime,
      resource: {
        id,
        subject,
        bodyPreview: preview,
        importance: "normal",
        isAllDay: false,
        isCancelled: false,
        isOrganizer: organizedBySelf,
        isOnlineMeeting: online,
        onlineMeetingProvider: online ? "teamsForBusiness" : "unknown",
        showAs: "busy",
        start: startTime,
        end: eventTime(start + minutes * MINUTE),
        location: {
          displayName: online ? "Microsoft Teams Meeting" : (ROOMS[b3 % ROOMS.length] ?? ""),
        },
        organizer: { emailAddress: organizer },
        onlineMeeting: online
          ? {
              joinUrl: `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${bytes.subarray(0, 16).toString("hex")}%40thread.v2/0`,
            }
          : null,
      } satisfies Record<(typeof EVENT_PROPERTIES)[number], unknown>,
    };
  });
  return events.sort((a, b) => a.sortKey.localeCompare(b.sortKey));
}
