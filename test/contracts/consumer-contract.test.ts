import { BatchConsumer, BufferedConsumer, Consumer, FanoutConsumer } from '../../src/consumers/index.js'
import { runConsumerContract } from '../../src/testing/index.js'

runConsumerContract({
  name: 'Consumer',
  create: (origin) => new Consumer({ apiHost: origin, retryLimit: 0, logger: false }),
})

runConsumerContract({
  name: 'BufferedConsumer',
  create: (origin) => new BufferedConsumer({ apiHost: origin, retryLimit: 0, logger: false }),
})

runConsumerContract({
  name: 'BatchConsumer',
  create: (origin) => new BatchConsumer({ apiHost: origin, retryLimit: 0, logger: false }),
})

runConsumerContract({
  name: 'FanoutConsumer of one BatchConsumer',
  create: (origin) =>
    new FanoutConsumer([new BatchConsumer({ apiHost: origin, retryLimit: 0, logger: false })]),
})
