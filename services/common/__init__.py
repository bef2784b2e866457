"""The eventing kernel shared by every Huiwu service.

store (event store per service), relay (outbox to RabbitMQ), envelope and catalog
(the published message contract), consumer (tracking, gap fill, dead letters),
metrics, config and the nameko glue that wires them into a service.
"""
