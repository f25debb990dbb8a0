package com.example.timezones;

import com.example.common.configuration.ServiceConfiguration;

/** timezones needs nothing beyond the settings every service has. */
public class TimezonesConfiguration extends ServiceConfiguration {}
