import { Heading, Text } from "@react-email/components";
import { z } from "zod";
import { Layout } from "../../layout.js";
import { styles } from "../../styles.js";

export interface ConciergeIntroProps {
  /** Who reached out, e.g. "Sarah". */
  csmName: string;
}

export const conciergeIntroSchema = z.object({
  csmName: z.string().trim().min(1),
});

export function ConciergeIntro({ csmName }: ConciergeIntroProps) {
  return (
    <Layout preview={`${csmName} will help your team get set up`}>
      <Heading as="h1" style={styles.heading}>
        Next steps for your rollout
      </Heading>
      <Text style={styles.text}>Welcome aboard.</Text>
      <Text style={styles.text}>
        {csmName} will be your point of contact while your team gets up and running — planning the rollout,
        connecting single sign-on and bringing your existing data across.
      </Text>
      <Text style={styles.text}>
        The quickest way to start is a short kickoff call. Reply with a few times that suit you and {csmName} will
        send an invite.
      </Text>
      <Text style={styles.text}>Talk soon,</Text>
      <Text style={styles.text}>{csmName}</Text>
    </Layout>
  );
}
