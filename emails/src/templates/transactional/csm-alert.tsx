import { Heading, Text } from "@react-email/components";
import { z } from "zod";
import { formatTimestamp } from "../../format.js";
import { Layout } from "../../layout.js";
import { styles } from "../../styles.js";

export interface CsmAlertProps {
  /** The customer's email, or their id when no email is known. */
  customerEmail: string;
  customerId: string;
  seats: number;
  /** A re-page after a day without contact. */
  reminder: boolean;
  /** ISO timestamp of this page. */
  requestedAt: string;
}

export const csmAlertSchema = z.object({
  customerEmail: z.string().min(1),
  customerId: z.string().min(1),
  seats: z.number().int().nonnegative(),
  reminder: z.boolean(),
  requestedAt: z.string().min(1),
});

export function CsmAlert({ customerEmail, customerId, seats, reminder, requestedAt }: CsmAlertProps) {
  const rows: Array<[string, string]> = [
    ["Customer", customerEmail],
    ["Customer ID", customerId],
    ["Seats", String(seats)],
    ["Requested", formatTimestamp(requestedAt)],
  ];
  return (
    <Layout
      preview={reminder ? `Still waiting for contact: ${customerEmail}` : `New enterprise signup: ${customerEmail}`}
      transactional
    >
      <Heading as="h1" style={styles.heading}>
        {reminder ? "Reminder: an enterprise signup is still waiting" : "New enterprise signup"}
      </Heading>
      <Text style={styles.text}>
        {reminder
          ? "Nobody has marked this customer as contacted in the last day. If they are still waiting tomorrow, they will get the automated welcome email instead of a person."
          : "An enterprise customer just signed up and needs an account manager. Please reach out and mark them as contacted once you have."}
      </Text>
      <table role="presentation" style={styles.table}>
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <td style={styles.cellLabel}>{label}</td>
              <td style={styles.cellValue}>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
