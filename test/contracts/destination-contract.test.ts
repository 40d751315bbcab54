import { HttpDestination, MixpanelDestination } from '../../src/destinations/index.js'
import { createMessage, type Endpoint } from '../../src/message/index.js'
import { SnowplowDestination } from '../../src/snowplow/index.js'
import { runDestinationContract } from '../../src/testing/index.js'

runDestinationContract({
  name: 'MixpanelDestination',
  create: (origin) => new MixpanelDestination({ apiHost: origin }),
})

runDestinationContract({
  name: 'SnowplowDestination (POST)',
  create: (origin) => new SnowplowDestination({ endpoint: origin }),
  kinds: ['events'],
  message: (_kind: Endpoint, n: number) =>
    createMessage('events', `eid-${n}`, { e: 'se', se_ca: 'contract', se_ac: `a${n}`, eid: `eid-${n}` }, 0),
})

runDestinationContract({
  name: 'SnowplowDestination (GET)',
  create: (origin) => new SnowplowDestination({ endpoint: origin, method: 'get' }),
  kinds: ['events'],
  message: (_kind: Endpoint, n: number) =>
    createMessage('events', `eid-${n}`, { e: 'se', se_ca: 'contract', se_ac: `a${n}`, eid: `eid-${n}` }, 0),
})

runDestinationContract({
  name: 'HttpDestination (JSON)',
  create: (origin) =>
    new HttpDestination({ url: `${origin}/webhook`, headers: { authorization: 'Bearer x' } }),
})

runDestinationContract({
  name: 'HttpDestination (NDJSON, gzip, one URL per kind)',
  create: (origin) =>
    new HttpDestination({
      url: {
        events: `${origin}/events`,
        people: `${origin}/people`,
        groups: `${origin}/groups`,
        imports: `${origin}/imports`,
      },
      format: 'ndjson',
      gzip: true,
    }),
})
